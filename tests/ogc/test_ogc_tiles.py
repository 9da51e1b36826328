"""OGC API - Tiles metadata for the layers' vector tiles: shape, links that lead to real MVT
tiles, and private layers hidden."""

import math

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from layers.ogc.views import CONFORMANCE
from layers.tiles import MAX_ZOOM

pytestmark = pytest.mark.django_db
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    return response.json()


def rel(links, name):
    return [item for item in links if item["rel"] == name]


def tile_of(lon, lat, z):
    n = 2**z
    col = int((lon + 180) / 360 * n)
    row = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, col, row


def local(url):
    """An absolute link of the test server -> the path and query the test client asks for."""
    assert url.startswith("http://testserver/")
    return url.removeprefix("http://testserver")


def test_tile_matrix_set_is_web_mercator_quad(client):
    listing = get_json(client, "/ogc/tileMatrixSets")
    (summary,) = listing["tileMatrixSets"]
    assert summary["id"] == "WebMercatorQuad" and summary["uri"] == TMS_URI
    tms = get_json(client, local(summary["links"][0]["href"]))
    assert tms["crs"] == "http://www.opengis.net/def/crs/EPSG/0/3857"
    matrices = tms["tileMatrices"]
    assert [m["id"] for m in matrices] == [str(z) for z in range(MAX_ZOOM + 1)]
    zero, fourteen = matrices[0], matrices[14]
    assert zero["scaleDenominator"] == pytest.approx(559082264.0287178)
    assert zero["pointOfOrigin"] == pytest.approx([-20037508.3427892, 20037508.3427892])
    assert fourteen["matrixWidth"] == fourteen["matrixHeight"] == 2**14
    assert fourteen["cellSize"] == pytest.approx(9.554628535647032)
    get_json(client, "/ogc/tileMatrixSets/WorldCRS84Quad", status=404)


def test_landing_conformance_and_collection_link_the_tiles(client, minsk_points):
    landing = get_json(client, "/ogc/")
    (schemes,) = rel(landing["links"], "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes")
    assert schemes["href"].endswith("/ogc/tileMatrixSets")
    conforms = get_json(client, "/ogc/conformance")["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt" in conforms
    assert conforms == CONFORMANCE
    tiles_rel = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
    collection = get_json(client, "/ogc/collections/minsk-points")
    (tilesets,) = rel(collection["links"], tiles_rel)
    assert tilesets["href"].endswith("/ogc/collections/minsk-points/tiles")
    # Only map layers have tiles: the built-in tables neither link nor answer.
    assert not rel(get_json(client, "/ogc/collections/cities")["links"], tiles_rel)
    get_json(client, "/ogc/collections/cities/tiles", status=404)


def test_tileset_links_lead_to_real_vector_tiles(client, minsk_points):
    cache.clear()
    listing = get_json(client, "/ogc/collections/minsk-points/tiles")
    (summary,) = listing["tilesets"]
    assert summary["dataType"] == "vector" and summary["tileMatrixSetURI"] == TMS_URI
    (self_link,) = rel(summary["links"], "self")
    tileset = get_json(client, local(self_link["href"]))
    assert tileset["crs"] == "http://www.opengis.net/def/crs/EPSG/0/3857"
    (layer,) = tileset["layers"]
    assert layer["id"] == "minsk-points" and layer["geometryDimension"] == 0
    assert set(layer["propertiesSchema"]["properties"]) == {"name", "kind", "rank", "score", "note"}
    assert tileset["boundingBox"]["lowerLeft"] == pytest.approx([27.40, 53.85])
    (scheme,) = rel(tileset["links"], "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme")
    assert get_json(client, local(scheme["href"]))["id"] == "WebMercatorQuad"

    (item,) = rel(tileset["links"], "item")
    assert item["templated"] is True and item["type"] == "application/vnd.mapbox-vector-tile"
    z, col, row = tile_of(27.405, 53.855, 14)
    url = item["href"].format(tileMatrix=z, tileRow=row, tileCol=col)
    response = client.get(local(url))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert len(response.content) > 0
    # A tile far from every point exists but is empty: the template's axes are not swapped.
    z, col, row = tile_of(30.0, 52.0, 14)
    empty = client.get(local(item["href"].format(tileMatrix=z, tileRow=row, tileCol=col)))
    assert empty.status_code == 200 and empty.content == b""

    (tilejson_link,) = rel(tileset["links"], "describedby")
    tilejson = get_json(client, local(tilejson_link["href"]))
    assert tilejson["tilejson"] == "3.0.0"
    assert (
        tilejson["tiles"][0].replace("{z}/{x}/{y}", "{tileMatrix}/{tileCol}/{tileRow}")
        == item["href"]
    )
    get_json(client, "/ogc/collections/minsk-points/tiles/WorldCRS84Quad", status=404)


def test_private_layer_tiles_hidden_from_anonymous_users(ready_layer):
    layer = ready_layer("secret", [("POINT(27.5 53.9)", {"a": 1})], is_public=False)
    anonymous = Client()
    for url in ("/ogc/collections/secret/tiles", "/ogc/collections/secret/tiles/WebMercatorQuad"):
        get_json(anonymous, url, status=404)
    owner = get_user_model().objects.create_user("owner", password="x")
    layer.owner = owner
    layer.save()
    client = Client()
    client.force_login(owner)
    tileset = get_json(client, "/ogc/collections/secret/tiles/WebMercatorQuad")
    (item,) = rel(tileset["links"], "item")
    z, col, row = tile_of(27.5, 53.9, 14)
    url = local(item["href"].format(tileMatrix=z, tileRow=row, tileCol=col))
    assert client.get(url).status_code == 200
    assert anonymous.get(url).status_code == 404
