"""Real clients against the OGC API served by a live server: GDAL's OAPIF driver (ogrinfo,
ogr2ogr, Debian's GDAL) and OWSLib."""

import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.gis.gdal import DataSource
from owslib.ogcapi.features import Features

from layers.models import Feature

pytestmark = pytest.mark.django_db(transaction=True)


def ogc_url(live_server):
    return f"{live_server.url}/ogc/"


def run(*args):
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def requested_urls(stderr):
    """The URLs GDAL fetched, from its debug output (--debug on)."""
    return [
        line.split("Fetch(", 1)[1].rstrip(")") for line in stderr.splitlines() if "Fetch(" in line
    ]


def test_ogrinfo_lists_feature_count_and_fields(live_server, minsk_points):
    out = run("ogrinfo", "-ro", "-so", f"OAPIF:{ogc_url(live_server)}", "minsk-points")
    assert "Feature Count: 250" in out
    assert "Geometry: Point" in out
    for field in ("name: String", "kind: String", "rank: Integer", "score: Real"):
        assert field in out, out


def test_ogrinfo_lists_collections(live_server, minsk_points, ready_layer):
    ready_layer("hidden-layer", [("POINT(27 53)", {"a": 1})], is_public=False)
    out = run("ogrinfo", "-ro", "-q", f"OAPIF:{ogc_url(live_server)}")
    assert "minsk-points" in out and "cities" in out and "regions" in out
    assert "hidden-layer" not in out


def test_ogr2ogr_copies_a_collection_through_pages(live_server, minsk_points, tmp_path):
    target = tmp_path / "copy.gpkg"
    result = subprocess.run(
        ["ogr2ogr", "--debug", "on", "-f", "GPKG", str(target), f"OAPIF:{ogc_url(live_server)}",
         "minsk-points", "-oo", "PAGE_SIZE=40", "-nln", "copy"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    pages = [url for url in requested_urls(result.stderr) if "/items" in url]
    # 40 as GDAL asked, then what the next link asks for (OGC_NEXT_MIN_LIMIT, 1000): the rest.
    assert [parse_qs(urlsplit(url).query)["limit"] for url in pages[1:]] == [["40"], ["1000"]]
    source = sorted(
        (f.properties["name"], f.properties["rank"], f.geom)
        for f in Feature.objects.filter(layer=minsk_points)
    )
    copied = sorted((f.get("name"), f.get("rank"), f.geom.geos) for f in DataSource(str(target))[0])
    assert len(copied) == len(source) == 250
    for (name_a, rank_a, geom_a), (name_b, rank_b, geom_b) in zip(copied, source, strict=True):
        assert (name_a, rank_a) == (name_b, rank_b)
        assert geom_a.equals_exact(geom_b, 1e-7)


def test_ogr2ogr_pages_as_gdal_asks_when_next_links_keep_the_limit(
    live_server, minsk_points, tmp_path, settings
):
    settings.OGC_NEXT_MIN_LIMIT = 0
    result = subprocess.run(
        ["ogr2ogr", "--debug", "on", "-f", "GPKG", str(tmp_path / "copy.gpkg"),
         f"OAPIF:{ogc_url(live_server)}", "minsk-points", "-oo", "PAGE_SIZE=40"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    pages = {url for url in requested_urls(result.stderr) if "/items" in url}
    assert len(pages) == 7, pages  # 250 features, 40 a page: GDAL followed the next links


def test_ogr2ogr_bbox_query(live_server, minsk_points, tmp_path):
    target = tmp_path / "bbox.gpkg"
    box = (27.445, 53.875, 27.505, 53.915)
    run(
        "ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{ogc_url(live_server)}", "minsk-points",
        "-spat", *map(str, box), "-oo", "PAGE_SIZE=7",
    )  # fmt: skip
    expected = sorted(
        f.properties["name"]
        for f in Feature.objects.filter(layer=minsk_points)
        if box[0] <= f.geom.x <= box[2] and box[1] <= f.geom.y <= box[3]
    )
    assert len(expected) == 24  # 6 columns x 4 rows of the sample grid
    assert sorted(f.get("name") for f in DataSource(str(target))[0]) == expected


def test_owslib(live_server, minsk_points, demo):
    api = Features(ogc_url(live_server))
    assert api.links
    conformance = api.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conformance
    ids = [c["id"] for c in api.collections()["collections"]]
    assert {"minsk-points", "cities", "regions"} <= set(ids)
    assert api.collection("minsk-points")["title"] == "Sample points"
    assert api.api()["openapi"].startswith("3.0")

    page = api.collection_items("minsk-points", bbox=[27.395, 53.845, 27.425, 53.855], limit=2)
    assert page["numberMatched"] == 3 and page["numberReturned"] == 2
    assert [f["properties"]["name"] for f in page["features"]] == ["Point 000", "Point 001"]

    fid = page["features"][1]["id"]
    item = api.collection_item("minsk-points", str(fid))
    assert item["properties"]["name"] == "Point 001"
    assert item["geometry"] == {"type": "Point", "coordinates": [27.41, 53.85]}

    queryables = api.collection_queryables("minsk-points")
    assert queryables["properties"]["rank"]["type"] == "integer"
    assert queryables["properties"]["geometry"]["x-ogc-role"] == "primary-geometry"

    cities = api.collection_items("cities", limit=1000)
    assert cities["numberMatched"] == cities["numberReturned"] > 0
    minsk = api.collection_item("cities", "minsk")
    assert minsk["properties"]["name_en"] == "Minsk"


def test_ogrinfo_fetches_one_feature_by_id(live_server, minsk_points):
    fid = Feature.objects.filter(layer=minsk_points, properties__name="Point 007").get().pk
    out = run("ogrinfo", "-ro", f"OAPIF:{ogc_url(live_server)}", "minsk-points", "-fid", str(fid))
    assert f"OGRFeature(minsk-points):{fid}" in out and "name (String) = Point 007" in out


def test_ogr2ogr_with_default_options_reads_big_pages(live_server, minsk_points, tmp_path):
    result = subprocess.run(
        ["ogr2ogr", "--debug", "on", "-f", "GPKG", str(tmp_path / "copy.gpkg"),
         f"OAPIF:{ogc_url(live_server)}", "minsk-points"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    limits = [parse_qs(urlsplit(url).query)["limit"][0]
              for url in requested_urls(result.stderr) if "/items" in url]  # fmt: skip
    # GDAL 3.6 starts with 10 (twice: the schema, then the data); the next link asks for 1000.
    assert limits == ["10", "10", "1000"], limits
    assert len(DataSource(str(tmp_path / "copy.gpkg"))[0]) == 250


def test_ogr2ogr_where_is_evaluated_on_the_server(live_server, ready_layer, tmp_path):
    ready_layer(
        "apostrophes",
        [
            (f"POINT(27.{i} 53.9)", {"name_latin": name, "rank": i})
            for i, name in enumerate(["Gats'", "Gats'", "Gats", "Hats'"])
        ],
    )
    target = tmp_path / "where.gpkg"
    result = subprocess.run(
        ["ogr2ogr", "--debug", "on", "-f", "GPKG", str(target), f"OAPIF:{ogc_url(live_server)}",
         "apostrophes", "-where", "name_latin = 'Gats''' AND rank < 5"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "CQL text detected" in result.stderr
    assert "client side" not in result.stderr  # nothing was left for GDAL to filter
    filtered = [url for url in requested_urls(result.stderr) if "filter=" in url]
    assert filtered and all("filter-lang=cql-text" in url for url in filtered)
    assert sorted(f.get("rank") for f in DataSource(str(target))[0]) == [0, 1]
