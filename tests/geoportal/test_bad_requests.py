"""Bad input never gets a 500: each request below answered 500 before (NUL bytes, CQL2 literals
that do not fit their property, floods of filter terms, bboxes outside a CRS's domain, property
names of digits, a failing export), and errors never show SQL or paths, with or without DEBUG."""

import json

import pytest

pytestmark = pytest.mark.usefixtures("english")

ITEMS = "/ogc/collections/{}/items"


@pytest.fixture
def points(demo, minsk_points):
    return minsk_points


def detail(response):
    body = response.json()
    assert set(body) >= {"detail", "code"}, body
    return json.dumps(body, ensure_ascii=False)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cities/?bbox=1,2,3,4%00",
        "/api/v1/services/?q=a%00b",
        "/api/v1/layers/minsk%00points/",
        "/api/v1/layers/minsk-points/features/?prop.name=Point%00",
        "/api/v1/indicators/?q=%00",
        "/ogc/collections/cities/items?name_be=%00",
        "/ogc/collections/minsk%00points",
        "/ogc/collections/cities/items?filter=name_be%3D%27a%00%27",
        "/tiles/minsk%00points.json",
    ],
)
def test_a_nul_byte_is_a_400_in_the_one_error_format(client, points, url):
    response = client.get(url)
    assert response.status_code == 400, response.content
    assert "NUL" in detail(response)


@pytest.mark.parametrize(
    "url",
    [
        "/layers/?q=%00",
        "/layers/minsk-points/table.json?column=name&value=%00",
        "/layers/minsk-points/download/csv/?column=name&value=%00",
        "/en/cities/?region=%00",
    ],
)
def test_a_nul_byte_in_pages_and_downloads_is_a_400(client, points, url):
    assert client.get(url).status_code == 400


def test_a_nul_byte_in_a_header_or_cookie_is_a_400(client, points):
    assert client.get("/api/v1/cities/", HTTP_AUTHORIZATION="Token a\x00b").status_code == 400
    assert client.get("/layers/", HTTP_COOKIE="sessionid=abcdefgh\x00ijkl").status_code == 400


@pytest.mark.parametrize(
    ("collection", "cql", "message"),
    [
        ("cities", "population > 'abc'", "population is of type integer"),
        ("cities", "population = 99999999999999999999999", "population is of type integer"),
        ("services", "updated > '2020-13-45'", "updated is of type date-time"),
        ("services", "updated > '99999-01-01'", "updated is of type date-time"),
        ("minsk-points", "rank > 'abc'", "rank is of type integer"),
        ("cities", "name_be LIKE 5", "LIKE needs a text pattern"),
        ("cities", "name_be LIKE 'abc\\'", "must not end with an escaping backslash"),
        ("cities", {"op": "in", "args": [{"property": "slug"}, "minsk"]}, "IN takes a list"),
        ("cities", {"op": "in", "args": [{"property": "population"}, 5]}, "IN takes a list"),
        ("cities", {"op": "s_intersects", "args": [{"property": "geometry"},
                    {"type": "Point", "coordinates": ["27.5", "53.9"]}]}, "geometry"),
    ],
)  # fmt: skip
def test_a_filter_literal_that_does_not_fit_is_a_400(client, points, collection, cql, message):
    text = cql if isinstance(cql, str) else json.dumps(cql)
    response = client.get(ITEMS.format(collection), {"filter": text})
    assert response.status_code == 400, response.content
    assert message in response.json()["description"]


def test_a_flood_of_filter_terms_is_refused_before_parsing(client, points, monkeypatch):
    def parse(*args):
        raise AssertionError("the filter was parsed")

    monkeypatch.setattr("layers.ogc.cql2.parse_cql2_text", parse)
    monkeypatch.setattr("layers.ogc.cql2.parse_cql2_json", parse)
    flood = " AND ".join(["rank = 1"] * 2000)
    response = client.get(ITEMS.format("minsk-points"), {"filter": flood})
    assert response.status_code == 400
    assert "too large" in response.json()["description"]
    nested = {"op": "and", "args": [{"op": "=", "args": [{"property": "rank"}, 1]}] * 2000}
    response = client.get(ITEMS.format("minsk-points"), {"filter": json.dumps(nested)})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "-1e8,-1e8,1e8,1e8", "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/32635"},
        {"bbox": "1e15,1e15,2e15,2e15", "bbox-crs": "EPSG:32635"},
        {"filter": "S_INTERSECTS(geometry, BBOX(-1e8,-1e8,1e8,1e8))", "filter-crs": "EPSG:32635"},
        {"filter": "S_INTERSECTS(geometry, POINT(1e9 1e9))", "filter-crs": "EPSG:32635"},
    ],
)
def test_coordinates_outside_a_crs_domain_are_a_400(client, points, params):
    response = client.get(ITEMS.format("minsk-points"), params)
    assert response.status_code == 400, response.content
    assert "outside the area EPSG:" in response.json()["description"]


def test_property_names_of_digits_are_names_not_array_indexes(client, ready_layer):
    ready_layer("years", [("POINT(27.5 53.9)", {"2024": "yes", "name": "a"})])
    base = "/api/v1/layers/years/features/"
    huge = client.get(base, {"prop.99999999999999999999": "1"})
    assert huge.status_code == 200, huge.content
    assert huge.json()["count"] == 0
    assert client.get(base, {"prop.2024": "yes"}).json()["count"] == 1
    ogc = client.get(ITEMS.format("years"), {"filter": "\"2024\" = 'yes'"})
    assert ogc.status_code == 200, ogc.content
    assert ogc.json()["numberMatched"] == 1
    table = client.get(
        "/layers/years/table.json", {"sort": "2024", "column": "2024", "value": "yes"}
    )
    assert table.json()["count"] == 1


def test_a_failing_export_says_so_without_the_database_error(client, points, monkeypatch):
    import subprocess

    def failing(command, **kwargs):
        return subprocess.CompletedProcess(command, 1, "", 'ERROR: syntax error at "SELECT" '
                                           "in /var/lib/postgresql/secret.sql")  # fmt: skip

    monkeypatch.setattr("layers.downloads.exporters.subprocess.run", failing)
    # A selection is made in the request (a whole layer's file is built by the worker).
    response = client.get("/layers/minsk-points/download/gpkg/", {"bbox": "27,53,28,54"})
    assert response.status_code == 503
    text = b"".join(response).decode() if response.streaming else response.content.decode()
    assert "SELECT" not in text and "/var/lib" not in text
    assert "try again later" in text


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_shows_no_sql_or_paths(client, points, settings, monkeypatch, debug):
    settings.DEBUG = debug

    def broken(*args, **kwargs):
        raise RuntimeError('relation "secret" in SELECT * FROM /srv/geoportal/settings.py')

    monkeypatch.setattr("layers.ogc.views.parse_items_request", broken)
    monkeypatch.setattr("layers.views.CatalogueSearch.layers", broken)
    for url in (ITEMS.format("minsk-points"), "/layers/"):
        response = client.get(url)
        assert response.status_code == 500
        assert b"SELECT" not in response.content and b"/srv/" not in response.content
    assert client.get(ITEMS.format("minsk-points")).json()["code"] == "server_error"
