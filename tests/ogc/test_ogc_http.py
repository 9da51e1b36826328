"""HTTP around the OGC API: methods (405 with Allow, never a CSRF page), trailing slashes, JSON
404s, Link headers, gzip of JSON and tiles, the items link GDAL builds item URLs from, and a bbox
across the antimeridian."""

import gzip
import json

import pytest
from django.test import Client

ITEMS = "/ogc/collections/minsk-points/items"


@pytest.fixture
def csrf_client():
    """A client that, like a browser or curl, meets Django's CSRF check on unsafe methods."""
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/ogc/", "/ogc/collections", "/ogc/collections/minsk-points",
                                 "/ogc/collections/minsk-points/queryables", "/ogc/api",
                                 "/ogc/collections/minsk-points/tiles"])  # fmt: skip
def test_unsupported_methods_are_405_with_allow(csrf_client, minsk_points, method, url):
    response = getattr(csrf_client, method)(url)
    assert response.status_code == 405, response.content[:200]
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    body = json.loads(response.content)
    assert body["code"] == "MethodNotAllowed" and method.upper() in body["description"]


@pytest.mark.parametrize(
    "method, url, allow",
    [
        ("put", ITEMS, "GET, HEAD, OPTIONS, POST"),
        ("delete", ITEMS, "GET, HEAD, OPTIONS, POST"),
        ("post", f"{ITEMS}/1", "GET, HEAD, OPTIONS, PUT, PATCH, DELETE"),
    ],
)
def test_the_writable_endpoints_name_their_methods(csrf_client, minsk_points, method, url, allow):
    """Items take Part 4's writes (layers/ogc/transactions.py): other methods are still a 405
    naming what is allowed, and an anonymous write a 401, never Django's CSRF page."""
    response = getattr(csrf_client, method)(url)
    assert response.status_code == 405 and response["Allow"] == allow
    assert method.upper() in json.loads(response.content)["description"]
    anonymous = csrf_client.post(ITEMS, "{}", content_type="application/geo+json")
    assert anonymous.status_code == 401 and json.loads(anonymous.content)["code"]


def test_options_and_head(client, minsk_points):
    response = client.options("/ogc/collections")
    assert response.status_code == 204 and response["Allow"] == "GET, HEAD, OPTIONS"
    head = client.head(ITEMS)
    assert head.status_code == 200 and head["Content-Type"] == "application/geo+json"


@pytest.mark.parametrize(
    "url",
    [
        "/ogc/collections/",
        "/ogc/conformance/",
        f"{ITEMS}/",
        "/ogc/collections/minsk-points/queryables/",
    ],
)
def test_a_trailing_slash_is_the_same_resource(client, minsk_points, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:200]
    assert response.content == client.get(url.rstrip("/")).content or "items" in url


def test_unknown_paths_are_json_404s(client, csrf_client):
    for response in (client.get("/ogc/nothing/here"), csrf_client.post("/ogc/nothing")):
        assert response.status_code == 404
        assert json.loads(response.content)["code"] == "NotFound"


def test_link_headers(client, minsk_points):
    response = client.get(ITEMS, {"limit": 10})
    links = response["Link"]
    assert 'rel="next"; type="application/geo+json"' in links
    assert 'rel="self"' in links and 'rel="alternate"' in links
    assert 'rel="self"' in client.get("/ogc/collections")["Link"]
    assert 'rel="collection"' in client.get(f"{ITEMS}/{first_id(client)}")["Link"]


def first_id(client):
    return json.loads(client.get(ITEMS, {"limit": 1}).content)["features"][0]["id"]


def test_json_and_tiles_are_gzipped_for_clients_that_accept_it(client, minsk_points):
    for url in (f"{ITEMS}?limit=250", "/ogc/api", "/api/v1/layers/minsk-points/features/",
                "/tiles/minsk-points/10/590/329.pbf"):  # fmt: skip
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, url
        assert response["Content-Encoding"] == "gzip", url
        assert gzip.decompress(response.content)
        assert client.get(url).get("Content-Encoding") is None
    # Pages are not compressed (they carry CSRF tokens).
    page = client.get("/layers/", headers={"Accept-Encoding": "gzip"})
    assert page.get("Content-Encoding") is None


def test_a_gzipped_tile_is_not_fetched_again(client, minsk_points):
    url = "/tiles/minsk-points/10/590/329.pbf"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first["ETag"].startswith('W/"')
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_the_geojson_items_link_has_no_query(client, minsk_points):
    collection = json.loads(client.get("/ogc/collections/minsk-points").content)
    items = next(link for link in collection["links"]
                 if link["rel"] == "items" and link["type"] == "application/geo+json")  # fmt: skip
    assert items["href"] == "http://testserver/ogc/collections/minsk-points/items"
    # GDAL fetches one feature at items link + "/" + id.
    response = client.get(items["href"].replace("http://testserver", "") + f"/{first_id(client)}")
    assert response.status_code == 200


def test_a_bbox_across_the_antimeridian(client, ready_layer):
    ready_layer("dateline", [("POINT(179.5 0)", {"name": "east"}),
                             ("POINT(-179.5 0)", {"name": "west"}),
                             ("POINT(0 0)", {"name": "greenwich"})])  # fmt: skip
    page = json.loads(
        client.get("/ogc/collections/dateline/items", {"bbox": "179,-1,-179,1"}).content
    )
    assert sorted(f["properties"]["name"] for f in page["features"]) == ["east", "west"]
    # The REST API's bbox is minlon,minlat,maxlon,maxlat: there the same box is a mistake.
    rest = client.get("/api/v1/layers/dateline/features/", {"bbox": "179,-1,-179,1"})
    assert rest.status_code == 400
    # In metres a west edge east of the east edge is a mistake, not the antimeridian.
    projected = client.get("/ogc/collections/dateline/items",
                           {"bbox": "100,0,-100,10", "bbox-crs": "EPSG:3857"})  # fmt: skip
    assert projected.status_code == 400
