"""OGC API - Features Part 4 with real requests: create, replace, patch and delete with a token,
ETag / If-Match (412 when stale), OPTIONS, who is refused (401, 403, 405) and CSRF for sessions."""

import json

import pytest
from django.test import Client
from editing_fixtures import *  # noqa: F403 (the fixtures)

from layers.models import FeatureEdit, Layer

pytestmark = pytest.mark.django_db

ITEMS = "/ogc/collections/brest-stops/items"
GEOJSON = "application/geo+json"


def send(client, method, url, body=None, token=None, content_type=GEOJSON, **headers):
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body) if body is not None and not isinstance(body, str) else body
    return getattr(client, method)(url, data=data, content_type=content_type, headers=headers)


def feature(lon, lat, **properties):
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": properties}  # fmt: skip


def test_create_replace_patch_delete_with_token_and_412_on_stale_etag(
    client, brest_stops, planner_of
):
    token = planner_of("brest").token
    conformance = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete" in (
        conformance
    )
    assert "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update" in conformance

    created = send(client, "post", ITEMS, feature(23.69, 52.095, name="New stop", routes=3),
                   token)  # fmt: skip
    assert created.status_code == 201, created.content
    location = created["Location"]
    assert location.startswith("http://testserver/ogc/collections/brest-stops/items/")
    item = location.removeprefix("http://testserver")
    got = client.get(item, headers={"Authorization": f"Token {token}"})
    assert got.status_code == 200
    assert got["ETag"] == created["ETag"]
    assert got.json()["properties"] == {"name": "New stop", "routes": 3}

    renamed = feature(23.691, 52.096, name="Renamed", routes=5, kind="tram")
    replaced = send(client, "put", item, renamed, token, If_Match=got["ETag"])
    assert replaced.status_code == 200, replaced.content
    assert replaced["ETag"] != got["ETag"]
    assert replaced.json()["geometry"]["coordinates"] == [23.691, 52.096]

    # A stale ETag (the one before the replacement) is refused and changes nothing.
    stale = send(client, "patch", item, {"properties": {"routes": 9}}, token,
                 "application/merge-patch+json", If_Match=got["ETag"])  # fmt: skip
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert client.get(item).json()["properties"]["routes"] == 5

    patched = send(client, "patch", item, {"properties": {"routes": 9}}, token,
                   "application/merge-patch+json", If_Match=replaced["ETag"])  # fmt: skip
    assert patched.status_code == 200, patched.content
    assert patched.json()["properties"] == {"name": "Renamed", "routes": 9, "kind": "tram"}

    deleted = send(client, "delete", item, token=token, If_Match=patched["ETag"])
    assert deleted.status_code == 204
    assert client.get(item).status_code == 404

    actions = list(FeatureEdit.objects.order_by("id").values_list("action", "via"))
    assert actions == [("create", "ogc"), ("update", "ogc"), ("update", "ogc"),
                       ("delete", "ogc")]  # fmt: skip
    assert Layer.objects.get(slug="brest-stops").feature_count == 3


def test_refusals_are_401_403_405_never_500(client, brest_stops, pinsk_stops, planner_of):
    first = brest_stops.features.order_by("id").first().pk
    body = feature(23.69, 52.095, name="x")
    anonymous = send(client, "post", ITEMS, body)
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    pinsk = planner_of("pinsk").token
    assert send(client, "post", ITEMS, body, pinsk).status_code == 403
    assert send(client, "delete", f"{ITEMS}/{first}", token=pinsk).status_code == 403
    assert send(client, "post", "/ogc/collections/cities/items", body, pinsk).status_code == 405
    brest = planner_of("brest").token
    # The Brest planner cannot edit Pinsk's layer either.
    assert send(client, "post", "/ogc/collections/pinsk-stops/items", body,
                brest).status_code == 403  # fmt: skip
    wrong = send(client, "post", ITEMS, body, "not-a-token")
    assert wrong.status_code == 401
    assert send(client, "trace", ITEMS).status_code == 405
    assert Layer.objects.get(pk=brest_stops.pk).feature_count == 3
    assert not FeatureEdit.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        ("{not json", GEOJSON, 400, "JSON"),
        ('{"type": "Feature", "geometry": null, "properties": {}}', GEOJSON, 400, "geometry"),
        (feature(23.69, 52.095, name="x"), "text/plain", 415, "application/geo+json"),
        (feature(27.56, 53.90, name="Minsk"), GEOJSON, 201, ""),
        (feature(21.0, 52.2, name="Warsaw"), GEOJSON, 400, "outside Belarus"),
        (feature(23.69, 52.095, name="x\u0000y"), GEOJSON, 400, "NUL"),
        (feature(23.69, 52.095, routes="many"), GEOJSON, 400, "whole number"),
        (feature(23.69, 52.095, routes=True), GEOJSON, 400, "whole number"),
        (feature(23.69, 52.095, opened="2024-13-01"), GEOJSON, 400, "date"),
        (feature(23.69, 52.095, kind="metro"), GEOJSON, 400, "bus, tram, trolleybus"),
        (feature(23.69, 52.095, colour="red"), GEOJSON, 400, "no attribute colour"),
        ('{"type": "Feature", "geometry": {"type": "Point", "coordinates": [NaN, 1]}}', GEOJSON,
         400, "JSON"),
        ({"type": "Feature", "geometry": {"type": "LineString",
                                          "coordinates": [[23.69, 52.09], [23.7, 52.1]]}},
         GEOJSON, 400, "Point"),
        ({"type": "Feature", "geometry": {"type": "Point", "coordinates": ["a", 1]}},
         GEOJSON, 400, "coordinates"),
    ],
)  # fmt: skip
def test_bad_bodies_get_a_clear_4xx(client, brest_stops, planner_of, english, body,
                                    content_type, status, words):  # fmt: skip
    token = planner_of("brest").token
    response = send(client, "post", ITEMS, body, token, content_type)
    assert response.status_code == status, response.content
    if status >= 400:
        assert words in response.json()["detail"]


def test_polygon_validity_and_multi_normalisation(client, ready_layer, planner_of, english):
    from cities.models import City

    layer = ready_layer("brest-areas", [], geometry_type="MultiPolygon", city=City.objects.get(
        slug="brest"), attributes=[{"name": "name", "type": "string"}])  # fmt: skip
    token = planner_of("brest").token
    url = "/ogc/collections/brest-areas/items"
    square = [[23.68, 52.09], [23.69, 52.09], [23.69, 52.10], [23.68, 52.10], [23.68, 52.09]]
    bowtie = [[23.68, 52.09], [23.69, 52.10], [23.69, 52.09], [23.68, 52.10], [23.68, 52.09]]
    good = send(client, "post", url, {"type": "Feature", "properties": {"name": "a"},
                "geometry": {"type": "Polygon", "coordinates": [square]}}, token)  # fmt: skip
    assert good.status_code == 201
    assert good.json()["geometry"]["type"] == "MultiPolygon"
    bad = send(client, "post", url, {"type": "Feature", "properties": {},
               "geometry": {"type": "Polygon", "coordinates": [bowtie]}}, token)  # fmt: skip
    assert bad.status_code == 400
    assert "not valid" in bad.json()["detail"]
    layer.refresh_from_db()
    assert layer.feature_count == 1
    assert layer.extent.extent == pytest.approx((23.68, 52.09, 23.69, 52.10))


def test_content_crs_geometry_is_transformed(client, brest_stops, planner_of):
    token = planner_of("brest").token
    # EPSG:4326 is latitude first.
    response = send(client, "post", ITEMS, feature(52.095, 23.69, name="lat first"), token,
                    Content_Crs="<http://www.opengis.net/def/crs/EPSG/0/4326>")  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["geometry"]["coordinates"] == pytest.approx([23.69, 52.095])


def test_options_tells_who_may_write(client, brest_stops, planner_of):
    first = brest_stops.features.order_by("id").first().pk
    assert client.options(ITEMS)["Allow"] == "GET, HEAD, OPTIONS"
    brest = {"Authorization": f"Token {planner_of('brest').token}"}
    assert client.options(ITEMS, headers=brest)["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert client.options(f"{ITEMS}/{first}", headers=brest)["Allow"] == (
        "GET, HEAD, OPTIONS, PUT, PATCH, DELETE"
    )


def test_csrf_enforced_for_sessions_not_for_tokens(brest_stops, planner_of):
    planner = planner_of("brest")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(planner)
    body = feature(23.69, 52.095, name="session")
    refused = send(browser, "post", ITEMS, body)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    page = browser.get("/en/layers/brest-stops/")
    token = page.cookies["csrftoken"].value
    assert send(browser, "post", ITEMS, body, X_CSRFToken=token).status_code == 201
    # A token holder needs no CSRF token, even with enforcement on.
    tokens = Client(enforce_csrf_checks=True)
    assert send(tokens, "post", ITEMS, body, planner.token).status_code == 201
    assert list(FeatureEdit.objects.order_by("id").values_list("via", flat=True)) == [
        "page", "ogc"]  # fmt: skip


@pytest.mark.parametrize(
    "url, status",
    [
        ("/ogc/collections/a%00b/items", 400),  # HostileInputMiddleware: a NUL byte is refused
        ("/ogc/collections/brest-stops/items/99999999999999999999", 404),
        ("/ogc/collections/brest-stops/items/%C2%B2", 404),
        ("/ogc/collections/brest-stops/items/-1", 404),
    ],
)
def test_hostile_ids_are_4xx_never_500(client, brest_stops, planner_of, url, status):
    token = planner_of("brest").token
    assert client.get(url).status_code == status
    for method in ("put", "patch", "delete"):
        response = send(client, method, url, feature(23.69, 52.095), token)
        assert response.status_code in (status, 405), (method, response.content)
        assert response["Content-Type"].startswith("application/"), response["Content-Type"]


def test_openapi_describes_the_writes(client):
    document = client.get("/ogc/api?f=json").json()
    item = document["paths"]["/collections/{collectionId}/items/{featureId}"]
    assert {"get", "put", "patch", "delete"} <= set(item)
    assert "412" in item["put"]["responses"]
    post = document["paths"]["/collections/{collectionId}/items"]["post"]
    assert "application/geo+json" in post["requestBody"]["content"]
    assert "token" in document["components"]["securitySchemes"]
