"""The one layer rule (layers/permissions.py), the same at every endpoint: published layers
(imported at least once) that are public, for everyone; every layer, in any state, for those who
may edit it; editing for the cities' planners, the owner, and whoever manages all cities."""

import threading

import pytest
from conftest import TEST_DATA
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from rest_framework.test import APIClient

from cities.models import City
from geoportal.gis.files import FileRefused
from geoportal.gis.inspect import inspect
from layers.imports import pipeline
from layers.imports.queue import create_version, import_now
from layers.models import Layer
from layers.permissions import can_edit_layer, editable_layers, visible_layers

POINT = [("POINT(26.1 52.1)", {"name": "a"})]


def endpoints(slug):
    """Every URL that shows a layer or its data."""
    return [
        f"/layers/{slug}/",
        f"/layers/{slug}/table.json",
        f"/layers/{slug}/thumbnail.svg",
        f"/layers/{slug}/download/geojson/",
        f"/tiles/{slug}.json",
        f"/tiles/{slug}/0/0/0.pbf",
        f"/api/v1/layers/{slug}/",
        f"/api/v1/layers/{slug}/features/",
        f"/ogc/collections/{slug}",
        f"/ogc/collections/{slug}/items",
        f"/ogc/collections/{slug}/queryables",
        f"/ogc/collections/{slug}/tiles",
    ]


def listed(client):
    """The layers each list names: catalogue, national map, REST list, OGC collections."""
    catalogue = client.get("/layers/").content.decode()
    groups = client.get("/layers/map.json").json()["groups"]
    collections = client.get("/ogc/collections").json()["collections"]
    return {
        "catalogue": {s for s in ALL if f'href="/layers/{s}/"' in catalogue},
        "map": {layer["slug"] for group in groups for layer in group["layers"]},
        "rest": {row["slug"] for row in client.get("/api/v1/layers/").json()["results"]},
        "ogc": {c["id"] for c in collections} & ALL,
    }


ALL = {"public", "private", "draft", "reimporting", "failed-again"}


@pytest.fixture
def layers_in_every_state(ready_layer, demo):
    pinsk = City.objects.get(slug="pinsk")
    return {
        "public": ready_layer("public", POINT),
        "private": ready_layer("private", POINT, is_public=False, city=pinsk),
        # Public, but its first import has not finished: nothing to show yet.
        "draft": ready_layer("draft", [], version=0, status=Layer.Status.IMPORTING, city=pinsk),
        # Published, and re-importing now or after a failed re-import: still served.
        "reimporting": ready_layer("reimporting", POINT, status=Layer.Status.IMPORTING),
        "failed-again": ready_layer("failed-again", POINT, status=Layer.Status.FAILED),
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("anonymous", {"public", "reimporting", "failed-again"}),
        ("pinsk planner", {"public", "private", "draft", "reimporting", "failed-again"}),
        ("brest planner", {"public", "reimporting", "failed-again"}),
        ("superuser", {"public", "private", "draft", "reimporting", "failed-again"}),
    ],
)
def test_every_endpoint_and_list_follows_the_one_rule(
    client, layers_in_every_state, planner_of, who, sees
):
    user = AnonymousUser()
    if who.endswith("planner"):
        user = planner_of(who.split()[0])
    elif who == "superuser":
        user = get_user_model().objects.create_superuser("root", password="pw")
    if user.is_authenticated:
        client.force_login(user)
    for slug in ALL:
        for url in endpoints(slug):
            status = client.get(url).status_code
            # A whole layer's download is made by the worker: the first request is queued (202).
            allowed = {200, 202} if "/download/" in url else {200}
            assert status in (allowed if slug in sees else {404}), (who, url, status)
    assert listed(client) == dict.fromkeys(["catalogue", "map", "rest", "ogc"], sees)
    assert {layer.slug for layer in visible_layers(user)} == sees


def test_who_may_edit(layers_in_every_state, planner_of):
    pinsk, brest = planner_of("pinsk"), planner_of("brest")
    root = get_user_model().objects.create_superuser("root", password="pw")
    national = layers_in_every_state["public"]  # no city, no owner
    assert national.city is None and national.owner is None
    assert can_edit_layer(root, national)
    assert not can_edit_layer(pinsk, national)
    assert can_edit_layer(pinsk, layers_in_every_state["private"])
    assert not can_edit_layer(brest, layers_in_every_state["private"])
    national.owner = brest
    national.save()
    assert can_edit_layer(brest, national)
    assert set(editable_layers(root)) == set(Layer.objects.all())
    assert not editable_layers(AnonymousUser()).exists()


def test_a_superuser_edits_a_national_layer_through_the_api(layers_in_every_state):
    root = get_user_model().objects.create_superuser("root", password="pw")
    client = APIClient()
    client.force_authenticate(root)
    response = client.patch(
        "/api/v1/layers/public/",
        {"title_en": "National points", "keywords": ["sample"], "is_public": False},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["title_en"] == "National points"
    layer = Layer.objects.get(slug="public")
    assert (layer.title_en, layer.keywords, layer.is_public) == (
        "National points",
        ["sample"],
        False,
    )


def test_api_edits_are_refused_to_those_who_may_not(layers_in_every_state, planner_of):
    pinsk, brest = planner_of("pinsk"), planner_of("brest")
    url = "/api/v1/layers/private/"
    anonymous = APIClient().patch(url, {"title_en": "x"}, format="json")
    assert anonymous.status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {brest.token}")
    assert client.patch(url, {"title_en": "x"}, format="json").status_code == 404  # not visible
    public = client.patch("/api/v1/layers/public/", {"title_en": "x"}, format="json")
    assert public.status_code == 403 and public.json()["code"] == "permission_denied"
    client.credentials(HTTP_AUTHORIZATION=f"Token {pinsk.token}")
    # A planner may not move a layer to a city they do not manage.
    moved = client.patch(url, {"city": "brest"}, format="json")
    assert moved.status_code == 400 and "city" in moved.json()["detail"]
    assert client.patch(url, {"title_en": "Pinsk points"}, format="json").status_code == 200
    assert Layer.objects.get(slug="private").title_en == "Pinsk points"


@pytest.mark.django_db(transaction=True)
def test_a_layer_stays_published_while_it_re_imports(client, make_layer, monkeypatch):
    """An import held between staging and the swap: the layer's OGC collection, items, page and
    tiles keep answering with the previous version; after a failed re-import too."""
    layer = make_layer("oblasts", is_public=True)
    import_now(layer, TEST_DATA / "oblasts.kml")
    before = client.get("/ogc/collections/oblasts/items").json()["numberMatched"]
    staged, release = threading.Event(), threading.Event()
    settle_rows = pipeline.settle_rows

    def held_settle_rows(*args, **kwargs):
        staged.set()
        assert release.wait(30)
        return settle_rows(*args, **kwargs)

    monkeypatch.setattr(pipeline, "settle_rows", held_settle_rows)
    source = inspect(TEST_DATA / "target_cities_17.gpx", TEST_DATA)
    version = create_version(layer, "target_cities_17.gpx", source=source)

    def worker():
        try:
            pipeline.run_import(version.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert staged.wait(30)
        assert Layer.objects.get(pk=layer.pk).status == Layer.Status.IMPORTING
        for url in ["/ogc/collections/oblasts", "/layers/oblasts/", "/tiles/oblasts/0/0/0.pbf"]:
            assert client.get(url).status_code == 200, url
        items = client.get("/ogc/collections/oblasts/items")
        assert items.status_code == 200 and items.json()["numberMatched"] == before
        ids = [c["id"] for c in client.get("/ogc/collections").json()["collections"]]
        assert "oblasts" in ids
    finally:
        release.set()
        thread.join(60)
    assert Layer.objects.get(pk=layer.pk).feature_count == 17
    # A failed re-import leaves the layer published with its last good data.
    monkeypatch.setattr(pipeline, "settle_rows", settle_rows)
    with pytest.raises(FileRefused):
        import_now(layer, TEST_DATA / "noshp.zip")
    assert client.get("/ogc/collections/oblasts").status_code == 200
    assert client.get("/ogc/collections/oblasts/items").json()["numberMatched"] == 17


def test_an_api_token_opens_the_ogc_api_tiles_and_downloads(
    client, layers_in_every_state, planner_of
):
    """QGIS, GDAL and scripts send the token the admin issued; the same rule applies."""
    token = planner_of("pinsk").token
    urls = [u for u in endpoints("private") if not u.startswith("/api/")]
    for number, url in enumerate(urls):
        assert client.get(url).status_code == 404, url
        status = client.get(url, HTTP_AUTHORIZATION=f"Token {token}").status_code
        assert status == (202 if "/download/" in url else 200), url  # a download is queued
        # From an address of its own each time: repeated wrong tokens lock an address out.
        wrong = client.get(url, HTTP_AUTHORIZATION="Token not-a-token",
                           REMOTE_ADDR=f"192.0.2.{number + 1}")  # fmt: skip
        assert wrong.status_code == 401 and wrong.json()["code"] == "authentication_failed", url
    brest = planner_of("brest").token
    assert client.get(urls[-1], HTTP_AUTHORIZATION=f"Token {brest}").status_code == 404
