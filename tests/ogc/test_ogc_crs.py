"""OGC API - Features Part 2: crs, bbox-crs, Content-Crs, axis order, unsupported CRS."""

import json
import subprocess

import pytest
from django.db import connection

from layers.ogc.crs import SUPPORTED, parse_crs

ITEMS = "/ogc/collections/minsk-points/items"


def first_point(client, query):
    response = client.get(f"{ITEMS}?limit=1&{query}")
    assert response.status_code == 200, response.content
    return response, json.loads(response.content)["features"][0]["geometry"]["coordinates"]


def postgis_transform(srid, lon=27.4, lat=53.85):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(g), ST_Y(g) FROM ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s)"
            " AS g",
            [lon, lat, srid],
        )
        return cursor.fetchone()


@pytest.mark.parametrize("crs", SUPPORTED, ids=lambda crs: crs.uri.rsplit("/", 1)[-1])
def test_axis_order_matches_proj(crs):
    """The table's northing-first flag is what the EPSG registry (through PROJ) says, asked
    through GDAL's gdalsrsinfo (gdal-bin), not through the code under test."""
    if crs.uri.endswith("CRS84"):
        return
    wkt = subprocess.run(["gdalsrsinfo", "-o", "wkt2_2019", f"EPSG:{crs.srid}"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    first_axis = next(line for line in wkt.splitlines() if line.strip().startswith("AXIS["))
    assert (",north" in first_axis) == crs.northing_first, first_axis


def test_default_is_crs84(client, minsk_points):
    response, coordinates = first_point(client, "")
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    assert coordinates == [27.4, 53.85]


def test_epsg_4326_is_latitude_first(client, minsk_points):
    response, coordinates = first_point(client, "crs=http://www.opengis.net/def/crs/EPSG/0/4326")
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/4326>"
    assert coordinates == [53.85, 27.4]


@pytest.mark.parametrize("srid", [3857, 32635, 32634])
def test_projected_easting_first(client, minsk_points, srid):
    _, coordinates = first_point(client, f"crs=http://www.opengis.net/def/crs/EPSG/0/{srid}")
    x, y = postgis_transform(srid)
    assert coordinates == pytest.approx([x, y], abs=0.001)


@pytest.mark.parametrize("srid", [28405, 2584])
def test_gauss_kruger_is_northing_first(client, minsk_points, srid):
    _, coordinates = first_point(client, f"crs=EPSG:{srid}")
    x, y = postgis_transform(srid)
    assert coordinates == pytest.approx([y, x], abs=0.001)
    assert 5_900_000 < coordinates[0] < 6_000_000  # Minsk: about 5970 km north


def test_single_item_in_a_crs(client, minsk_points):
    fid = json.loads(client.get(f"{ITEMS}?limit=1").content)["features"][0]["id"]
    response = client.get(f"{ITEMS}/{fid}?crs=EPSG:3857")
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/3857>"
    x, y = postgis_transform(3857)
    assert json.loads(response.content)["geometry"]["coordinates"] == pytest.approx([x, y], 0.001)


def test_bbox_crs(client, minsk_points):
    # The first row of the sample grid (lat 53.85), columns 0-2, given in three CRSs.
    (x0, y0), (x1, y1) = (
        postgis_transform(3857, 27.395, 53.845),
        postgis_transform(3857, 27.425, 53.855),
    )
    queries = [
        "bbox=27.395,53.845,27.425,53.855",
        "bbox=53.845,27.395,53.855,27.425&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326",
        f"bbox={x0},{y0},{x1},{y1}&bbox-crs=EPSG:3857",
    ]
    for query in queries:
        page = json.loads(client.get(f"{ITEMS}?{query}").content)
        assert page["numberMatched"] == 3, query


def test_unsupported_crs_is_a_400(client, minsk_points):
    for query in ("crs=EPSG:2180", "crs=nonsense", "bbox=1,2,3,4&bbox-crs=EPSG:1234"):
        response = client.get(f"{ITEMS}?{query}")
        assert response.status_code == 400
        description = json.loads(response.content)["description"]
        assert "http://www.opengis.net/def/crs/EPSG/0/28405" in description  # lists the choices


def test_crs_lists():
    assert parse_crs("EPSG:28404").srid == 28404
    assert parse_crs("[EPSG:3857]").srid == 3857
    assert parse_crs("OGC:CRS84").uri.endswith("CRS84")


def test_collections_advertise_crs(client, minsk_points):
    body = json.loads(client.get("/ogc/collections").content)
    assert "http://www.opengis.net/def/crs/EPSG/0/28405" in body["crs"]
    one = json.loads(client.get("/ogc/collections/minsk-points").content)
    assert one["storageCrs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    assert "http://www.opengis.net/def/crs/EPSG/0/32635" in one["crs"]
