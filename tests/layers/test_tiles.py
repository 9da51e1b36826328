import gzip
import math

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.gdal import DataSource
from django.contrib.gis.geos import LineString, Point, Polygon
from django.core.cache import cache
from django.db import connection

from layers import tiles
from layers.access import layer_cache_version
from layers.models import Feature


def tile_of(lon, lat, z):
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def read_tile(tmp_path, data, z, x, y):
    """GDAL's MVT driver; the {z}/{x}/{y}.pbf path tells it where the tile lies."""
    path = tmp_path / str(z) / str(x) / f"{y}.pbf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    source = DataSource(str(path))
    return {layer.name: list(layer) for layer in source}


@pytest.fixture
def schools(layer_with_features):
    features = [
        (Point(27.5610, 53.9020, srid=4326), {"name": "School 1", "pupils": 800}),
        (Point(27.5620, 53.9030, srid=4326), {"name": "Школа 2", "pupils": 650}),
        (Point(30.3300, 53.9000, srid=4326), {"name": "Far away", "pupils": 10}),
    ]
    attributes = [{"name": "name", "type": "string"}, {"name": "pupils", "type": "integer"}]
    return layer_with_features("schools", features, attributes=attributes)


@pytest.mark.django_db
def test_tile_is_a_valid_mvt_with_the_right_features(client, schools, tmp_path):
    cache.clear()
    z, x, y = tile_of(27.5615, 53.9025, 14)
    response = client.get(f"/tiles/schools/{z}/{x}/{y}.pbf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    layers = read_tile(tmp_path, response.content, z, x, y)
    assert list(layers) == ["schools"]
    features = layers["schools"]
    assert sorted(f.get("name") for f in features) == ["School 1", "Школа 2"]
    assert sorted(f.get("pupils") for f in features) == [650, 800]
    ids = set(
        Feature.objects.filter(properties__name__in=["School 1", "Школа 2"]).values_list(
            "id", flat=True
        )
    )
    assert {f.get("mvt_id") for f in features} == ids
    geom = next(f for f in features if f.get("name") == "School 1").geom
    geom.transform(4326)
    assert geom.x == pytest.approx(27.5610, abs=1e-4) and geom.y == pytest.approx(53.9020, abs=1e-4)


@pytest.mark.django_db
def test_lines_and_polygons_are_clipped_to_the_tile(client, layer_with_features, tmp_path):
    road = LineString((27.0, 53.9), (28.0, 53.9), srid=4326)
    square = Polygon.from_bbox((27.4, 53.8, 27.7, 54.0))
    square.srid = 4326
    layer_with_features("roads", [(road, {"ref": "M1"})])
    layer_with_features("blocks", [(square, {"kind": "block"})])
    z, x, y = tile_of(27.55, 53.9, 12)
    roads = read_tile(tmp_path / "r", client.get(f"/tiles/roads/{z}/{x}/{y}.pbf").content, z, x, y)
    assert [f.get("ref") for f in roads["roads"]] == ["M1"]
    assert roads["roads"][0].geom.geom_type == "LineString"
    blocks = read_tile(
        tmp_path / "b", client.get(f"/tiles/blocks/{z}/{x}/{y}.pbf").content, z, x, y
    )
    assert blocks["blocks"][0].geom.geom_type in ("Polygon", "MultiPolygon")
    # A tile far away is empty.
    assert client.get("/tiles/roads/12/0/0.pbf").content == b""


@pytest.mark.django_db
def test_tilejson_describes_the_tiles(client, schools):
    data = client.get("/tiles/schools.json").json()
    assert data["tilejson"] == "3.0.0"
    assert data["tiles"][0].startswith("http://testserver/tiles/schools/{z}/{x}/{y}.pbf?v=")
    assert data["vector_layers"][0]["id"] == "schools"
    assert data["vector_layers"][0]["fields"] == {"name": "string", "pupils": "integer"}
    assert data["bounds"] == pytest.approx([27.561, 53.9, 30.33, 53.903])


@pytest.mark.django_db
def test_tiles_are_cached_and_invalidated_when_the_layer_changes(client, schools):
    cache.clear()
    z, x, y = tile_of(27.5615, 53.9025, 14)
    url = f"/tiles/schools/{z}/{x}/{y}.pbf"
    first = client.get(url).content
    key = tiles.cache_key("schools", tiles.TileRequest(z, x, y))
    assert cache.get(key) == (layer_cache_version(schools), first)
    # Data changes under the cache (as a re-import would) ...
    Feature.objects.filter(layer=schools).update(properties={"name": "Renamed", "pupils": 1})
    assert client.get(url).content == first  # ... still the cached tile
    schools.version += 1
    schools.save()  # ... until the layer records the change
    assert b"Renamed" in client.get(url).content


@pytest.mark.django_db
def test_a_cached_public_tile_costs_no_database_query(client, schools, django_assert_num_queries):
    cache.clear()
    z, x, y = tile_of(27.5615, 53.9025, 14)
    url = f"/tiles/schools/{z}/{x}/{y}.pbf"
    first = client.get(url)
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert again["Cache-Control"].startswith("public")
    # The browser's copy is still good: 304 without a body, and still no query.
    with django_assert_num_queries(0):
        unchanged = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert unchanged.status_code == 304 and unchanged.content == b""


@pytest.mark.django_db
def test_a_layer_turning_private_or_changing_leaves_the_fast_path_at_once(client, schools, demo):
    from cities.models import City

    cache.clear()
    z, x, y = tile_of(27.5615, 53.9025, 14)
    url = f"/tiles/schools/{z}/{x}/{y}.pbf"
    first = client.get(url)
    assert first.status_code == 200
    # A change of the data: a new ETag, the new tile.
    Feature.objects.filter(layer=schools).update(properties={"name": "Renamed", "pupils": 1})
    schools.version += 1
    schools.save()
    changed = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert b"Renamed" in changed.content
    # Private: the cached record and tiles are no longer served to the anonymous.
    schools.is_public = False
    schools.city = City.objects.get(slug="minsk")
    schools.save()
    assert client.get(url).status_code == 404
    # A new slug: the old one is gone at once.
    schools.is_public = True
    schools.save()
    assert client.get(url).status_code == 200
    schools.slug = "schools-2"
    schools.save()
    assert client.get(url).status_code == 404
    assert client.get(f"/tiles/schools-2/{z}/{x}/{y}.pbf").status_code == 200
    schools.delete()
    assert client.get(f"/tiles/schools-2/{z}/{x}/{y}.pbf").status_code == 404


@pytest.mark.django_db
def test_bad_tile_coordinates_and_unknown_layers_are_404(client, schools):
    assert client.get("/tiles/schools/3/8/0.pbf").status_code == 404
    assert client.get("/tiles/schools/23/0/0.pbf").status_code == 404
    assert client.get("/tiles/nope/0/0/0.pbf").status_code == 404


@pytest.mark.django_db
def test_private_layer_tiles_are_refused_to_the_anonymous(client, layer_with_features, demo):
    from cities.models import City

    minsk = City.objects.get(slug="minsk")
    layer_with_features(
        "pipes", [(Point(27.56, 53.9, srid=4326), {"d": "1"})], is_public=False, city=minsk
    )
    z, x, y = tile_of(27.56, 53.9, 10)
    assert client.get(f"/tiles/pipes/{z}/{x}/{y}.pbf").status_code == 404
    assert client.get("/tiles/pipes.json").status_code == 404
    planner = User.objects.create_user("planner", is_staff=True)
    planner.groups.add(minsk.planners)
    client.force_login(planner)
    response = client.get(f"/tiles/pipes/{z}/{x}/{y}.pbf")
    assert response.status_code == 200 and len(response.content) > 0
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_tile_query_uses_the_layer_geom_index(schools):
    sql, params = tiles.tile_sql(schools, tiles.TileRequest(*tile_of(27.56, 53.9, 14)))
    with connection.cursor() as cursor:
        # Enough features spread over Belarus that a z14 tile is a small part of the layer.
        cursor.execute(
            """INSERT INTO layers_feature (layer_id, geom, properties)
               SELECT %s, ST_SetSRID(
                   ST_MakePoint(23.5 + (i %% 100) * 0.09, 51.5 + (i / 100) * 0.09), 4326
               ), '{}'::jsonb
               FROM generate_series(0, 4999) AS i""",
            [schools.pk],
        )
        cursor.execute("ANALYZE layers_feature")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        # The envelope, not the column, is transformed: so the bbox is an index condition on
        # the geom GiST index of the layer's partition.
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'layers_feature%%' "
            "AND indexdef LIKE '%%USING gist (geom)%%'"
        )
        gist_indexes = [row[0] for row in cursor.fetchall()]
    assert any(f"using {name}" in plan.lower() for name in gist_indexes), plan
    assert "geom && " in plan


@pytest.mark.django_db
def test_dense_points_are_thinned_below_zoom_12(layer_with_features):
    dense = [(Point(27.5 + i * 1e-6, 53.9, srid=4326), {"n": i}) for i in range(50)]
    layer = layer_with_features("dense", dense)
    low = tiles.build_tile(layer, tiles.TileRequest(*tile_of(27.5, 53.9, 8)))
    high = tiles.build_tile(layer, tiles.TileRequest(*tile_of(27.5, 53.9, 16)))
    assert 0 < len(low) < len(high) / 10


@pytest.mark.django_db
def test_tilejson_of_a_public_layer_may_be_kept_by_shared_caches(client, schools, ready_layer):
    """What nginx's proxy cache honours (make cluster): public, an ETag per language, Vary."""
    response = client.get("/tiles/schools.json")
    assert response["Cache-Control"].startswith("public, max-age=")
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    again = client.get("/tiles/schools.json", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""
    russian = client.get("/tiles/schools.json", headers={"Accept-Language": "ru"})
    assert russian["ETag"] != response["ETag"]
    owner = User.objects.create_user("owner")
    ready_layer("hidden", [("POINT(27.5 53.9)", {})], is_public=False, owner=owner)
    client.force_login(owner)
    private = client.get("/tiles/hidden.json")
    assert private.status_code == 200
    assert private["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_a_tile_comes_gzipped_to_clients_that_accept_it(client, minsk_points):
    z, x, y = tile_of(27.5, 53.9, 10)
    url = f"/tiles/minsk-points/{z}/{x}/{y}.pbf"
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    # The weak ETag of the gzipped tile still spares the download.
    assert packed["ETag"] == "W/" + plain["ETag"]
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed["ETag"]})
    assert again.status_code == 304
