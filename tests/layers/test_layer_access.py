"""The feature path's and the tiles' record of a layer (layers/access.py): one query per page or
item, one round trip to the cache per cached tile, and never an answer from a record that is out
of date. Another process's record goes stale without its signal: here that process is played by
changing the layer's row with update(), which sends none, so this process's record stays."""

import math

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from layers import access, queries
from layers.models import Feature, Layer

ITEMS = "/ogc/collections/minsk-points/items"
API = "/api/v1/layers/minsk-points/features/"
BBOX = "27.395,53.845,27.505,53.905"  # 11 x 6 of the grid's points


def elsewhere(layer, **fields):
    """The layer's row changed by another process: a save there, no signal here."""
    Layer.objects.filter(pk=layer.pk).update(updated=timezone.now(), **fields)


def first_item(layer):
    return Feature.objects.filter(layer=layer).order_by("id").first()


@pytest.mark.django_db
def test_a_page_and_an_item_are_one_query_each(client, minsk_points):
    item = first_item(minsk_points)
    client.get(ITEMS)  # the record is read once, then kept in this process
    for url in (f"{ITEMS}?bbox={BBOX}&limit=10", f"{ITEMS}/{item.pk}", f"{API}?bbox={BBOX}"):
        with CaptureQueriesContext(connection) as queries_run:
            response = client.get(url)
        assert response.status_code == 200, url
        assert len(queries_run) == 1, (url, [q["sql"] for q in queries_run])
    page = client.get(f"{ITEMS}?bbox={BBOX}&limit=10").json()
    assert (page["numberMatched"], page["numberReturned"]) == (66, 10)
    assert client.get(f"{API}?bbox={BBOX}&page_size=10").json()["count"] == 66
    single = client.get(f"{ITEMS}/{item.pk}")
    assert single["ETag"].startswith(f'"{item.pk}-')


@pytest.mark.django_db
def test_a_costly_count_is_left_out_and_paging_goes_on(client, minsk_points, monkeypatch):
    monkeypatch.setattr(queries, "CHEAP_COUNT", 50)
    page = client.get(f"{ITEMS}?bbox={BBOX}&limit=10").json()
    assert "numberMatched" not in page and page["numberReturned"] == 10
    assert any(link["rel"] == "next" for link in page["links"])
    last = client.get(f"{ITEMS}?bbox={BBOX}&limit=10&offset=60").json()
    assert (last["numberMatched"], last["numberReturned"]) == (66, 6)  # told by the last page
    assert not any(link["rel"] == "next" for link in last["links"])
    html = client.get(f"{ITEMS}?bbox={BBOX}&limit=10&f=html", headers={"Accept-Language": "en"})
    html = html.content.decode()
    assert "10 items on this page; the total was not counted." in html
    # The REST API promises its count: exact whatever it costs, still in the page's query.
    assert client.get(f"{API}?bbox={BBOX}&page_size=10").json()["count"] == 66


@pytest.mark.django_db
def test_a_layer_made_private_elsewhere_stops_at_once(client, minsk_points):
    item = first_item(minsk_points)
    urls = [ITEMS, f"{ITEMS}?bbox={BBOX}", f"{ITEMS}/{item.pk}", API]
    assert all(client.get(url).status_code == 200 for url in urls)
    elsewhere(minsk_points, is_public=False)
    assert access._memo["minsk-points"].visible_to_everyone  # this process has not heard
    for url in urls:
        assert client.get(url).status_code == 404, url
    elsewhere(minsk_points, is_public=True, version=0)  # public, but unpublished
    for url in urls:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_a_reimport_elsewhere_is_read_at_once(client, minsk_points):
    old = first_item(minsk_points)
    assert client.get(ITEMS).json()["numberMatched"] == 250
    # The re-import's swap: new features, new count and version, the old features gone.
    Feature.objects.filter(layer=minsk_points).delete()
    Feature.objects.create(layer=minsk_points, geom="POINT(27.45 53.87)", properties={"n": 1})
    elsewhere(minsk_points, feature_count=1, version=2)
    page = client.get(ITEMS).json()
    assert (page["numberMatched"], page["numberReturned"]) == (1, 1)
    assert page["features"][0]["properties"] == {"n": 1}
    assert client.get(f"{ITEMS}/{old.pk}").status_code == 404
    assert client.get(API).json()["count"] == 1


@pytest.mark.django_db
def test_a_private_layer_is_checked_for_each_user(client, django_user_model, minsk_points):
    minsk_points.is_public = False
    minsk_points.owner = django_user_model.objects.create_user("owner", password="x")
    minsk_points.save()
    assert client.get(ITEMS).status_code == 404
    client.force_login(minsk_points.owner)
    assert client.get(ITEMS).json()["numberMatched"] == 250
    client.logout()
    assert client.get(ITEMS).status_code == 404
    assert client.get(API).status_code == 404


def tile_url(lon, lat, z):
    x = int((lon + 180) / 360 * 2**z)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**z)
    return f"/tiles/minsk-points/{z}/{x}/{y}.pbf"


@pytest.mark.django_db
def test_a_cached_tile_is_one_round_trip_and_no_query(client, minsk_points, request):
    cache.clear()  # the tests' own Redis database
    url = tile_url(27.45, 53.87, 14)
    first = client.get(url)
    assert first.status_code == 200 and first.content
    sent = request.getfixturevalue("redis_round_trips")
    with CaptureQueriesContext(connection) as queries_run:
        again = client.get(url)
    assert again.content == first.content and len(queries_run) == 0
    # The rate limit's count brings the record and the tile: one round trip.
    assert len(sent) == 1, sent
    # A save gives the tile a new version: the cached one no longer answers.
    Feature.objects.filter(layer=minsk_points).update(properties={"name": "Renamed"})
    assert client.get(url).content == first.content
    minsk_points.save()
    assert b"Renamed" in client.get(url).content


@pytest.mark.django_db
def test_a_tile_of_a_layer_made_private_elsewhere_is_refused(client, minsk_points):
    cache.clear()
    url = tile_url(27.45, 53.87, 14)
    assert client.get(url).status_code == 200
    # The shared record is dropped by the save's signal in whichever process saves.
    minsk_points.is_public = False
    minsk_points.save()
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_save_while_the_tile_record_is_cached_leaves_no_stale_record(
    client, minsk_points, monkeypatch
):
    cache.clear()
    url = tile_url(27.45, 53.87, 14)
    set_in_cache = cache.set

    def set_during_a_save(key, value, *args, **kwargs):
        set_in_cache(key, value, *args, **kwargs)
        if key == access.shared_key("minsk-points"):  # read before the save, set after its drop
            elsewhere(minsk_points, is_public=False)

    monkeypatch.setattr(cache, "set", set_during_a_save)
    assert client.get(url).status_code == 404
    monkeypatch.undo()
    assert cache.get(access.shared_key("minsk-points")) is None
    assert client.get(url).status_code == 404
