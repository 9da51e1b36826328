"""OGC API - Features Part 1: resources, paging, limits, negotiation, errors, visibility, and a
GeoJSON / JSON Schema check of every response type."""

import json

import pytest
from conftest import TEST_DATA
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from layers.ogc.parameters import parse_items_request
from layers.ogc.providers import collection

SCHEMAS = TEST_DATA / "geojson-schema"
CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
ITEMS = "/ogc/collections/minsk-points/items"


def validator(name):
    resources = {
        json.loads(p.read_text())["$id"]: Resource.from_contents(json.loads(p.read_text()))
        for p in SCHEMAS.glob("*.json")
    }
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    return Draft7Validator(schema, registry=Registry().with_resources(resources.items()))


def get_json(client, url, status=200, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.content[:500]
    return response, json.loads(response.content)


@pytest.fixture
def polygons(ready_layer):
    """Two sample squares, one with a hole (synthetic test data)."""
    return ready_layer(
        "sample-polygons",
        [
            ("POLYGON((27.5 53.9, 27.6 53.9, 27.6 54.0, 27.5 54.0, 27.5 53.9))", {"name": "A"}),
            (
                "POLYGON((27.7 53.9, 27.9 53.9, 27.9 54.1, 27.7 54.1, 27.7 53.9),"
                "(27.75 53.95, 27.8 53.95, 27.8 54.0, 27.75 53.95))",
                {"name": "B"},
            ),
        ],
    )


def test_landing_conformance_and_collections(client, minsk_points, demo):
    _, landing = get_json(client, "/ogc/")
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} <= rels
    _, conformance = get_json(client, "/ogc/conformance")
    assert CORE in conformance["conformsTo"]
    _, collections = get_json(client, "/ogc/collections")
    ids = [c["id"] for c in collections["collections"]]
    assert ids[:2] == ["regions", "cities"] and "minsk-points" in ids
    points = next(c for c in collections["collections"] if c["id"] == "minsk-points")
    assert points["extent"]["spatial"]["bbox"] == [[27.4, 53.85, 27.64, 53.94]]
    assert any(link["rel"] == "items" and link["type"] == "application/geo+json"
               for link in points["links"])  # fmt: skip
    _, one = get_json(client, "/ogc/collections/minsk-points")
    assert one["id"] == "minsk-points" and one["itemType"] == "feature"


def test_items_paging_with_next_and_prev_links(client, minsk_points, settings):
    settings.OGC_NEXT_MIN_LIMIT = 0  # next links keep the client's limit
    response, page = get_json(client, f"{ITEMS}?limit=100")
    assert response["Content-Type"] == "application/geo+json"
    assert (page["numberMatched"], page["numberReturned"]) == (250, 100)
    names = [f["properties"]["name"] for f in page["features"]]
    seen = list(names)
    links = {link["rel"]: link["href"] for link in page["links"]}
    assert "prev" not in links
    while "next" in links:
        _, page = get_json(client, links["next"].replace("http://testserver", ""))
        links = {link["rel"]: link["href"] for link in page["links"]}
        seen += [f["properties"]["name"] for f in page["features"]]
        assert "prev" in links
    assert seen == [f"Point {i:03d}" for i in range(250)]
    assert page["numberReturned"] == 50


def test_limit_is_clamped_and_validated(client, minsk_points, settings):
    settings.OGC_MAX_LIMIT = 120
    _, page = get_json(client, f"{ITEMS}?limit=100000")
    assert page["numberReturned"] == 120
    for bad in (
        "limit=0",
        "limit=-5",
        "limit=ten",
        "offset=-1",
        "bbox=1,2,3",
        "bbox=27,54,26,53",
        "datetime=yesterday",
        "crs=EPSG:9999",
        "f=xml",
        "unknown=1",
        "bbox-crs=EPSG:9999",
        "limit=1&limit=2",
        "rank=ten",
        "properties=nonexistent",
        "properties=name,nonexistent",
    ):
        response, body = get_json(client, f"{ITEMS}?{bad}", status=400)
        assert body["code"] == "InvalidParameterValue" and body["description"]
    response, body = get_json(client, f"{ITEMS}?datetime=2024-01-01T00:00:00Z/..")
    assert body["numberMatched"] == 250


def test_parse_items_request_directly(minsk_points):
    provider = collection(AnonymousUser(), "minsk-points")
    request = parse_items_request({"limit": "7", "offset": "3", "kind": "park"}, provider)
    assert (request.limit, request.offset) == (7, 3)
    features, matched = provider.page(request.selection, offset=request.offset, limit=7)
    assert (len(features), matched) == (7, 83)


def test_queryables_as_query_parameters(client, minsk_points):
    _, page = get_json(client, f"{ITEMS}?kind=park&rank=2")
    assert [f["properties"]["name"] for f in page["features"]] == ["Point 002"]


def test_single_item_and_404s(client, minsk_points):
    _, page = get_json(client, f"{ITEMS}?limit=1")
    fid = page["features"][0]["id"]
    response, item = get_json(client, f"{ITEMS}/{fid}")
    assert response["Content-Type"] == "application/geo+json"
    assert item["id"] == fid and item["properties"]["name"] == "Point 000"
    assert {link["rel"] for link in item["links"]} >= {"self", "alternate", "collection"}
    for url in (f"{ITEMS}/999999999", f"{ITEMS}/not-a-number", "/ogc/collections/nothing",
                "/ogc/collections/nothing/items"):  # fmt: skip
        _, body = get_json(client, url, status=404)
        assert body["code"] == "NotFound"


def test_content_negotiation(client, minsk_points):
    assert client.get(ITEMS)["Content-Type"] == "application/geo+json"  # no Accept: JSON
    assert client.get(ITEMS, headers={"Accept": "*/*"})["Content-Type"] == "application/geo+json"
    html = client.get(ITEMS, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html["Content-Type"].startswith("text/html")
    assert client.get(f"{ITEMS}?f=json", headers={"Accept": "text/html"})[
        "Content-Type"] == "application/geo+json"  # fmt: skip
    assert client.get("/ogc/?f=html")["Content-Type"].startswith("text/html")
    assert client.get("/ogc/api")["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert client.get("/ogc/collections/minsk-points/queryables")[
        "Content-Type"] == "application/schema+json"  # fmt: skip
    assert client.post("/ogc/collections").status_code == 405
    # Writing to a layer (Part 4, tests/editing/) needs a token or a session first.
    assert client.post(ITEMS).status_code == 401


def test_html_pages(client, minsk_points, demo):
    for url in ("/ogc/", "/ogc/conformance", "/ogc/collections", "/ogc/collections/minsk-points",
                "/ogc/collections/minsk-points/queryables", ITEMS, "/ogc/collections/cities/items",
                "/ogc/collections/cities/items/minsk", "/ogc/api"):  # fmt: skip
        response = client.get(url, {"f": "html"})
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")
    page = client.get(ITEMS, {"f": "html", "limit": 5}).content.decode()
    assert "Point 004" in page and "Point 005" not in page and 'rel="next"' in page
    # Swagger UI of the OpenAPI document comes from the project's own static files.
    swagger = client.get("/ogc/api", {"f": "html"}).content.decode()
    assert "/static/drf_spectacular_sidecar/" in swagger and "cdn" not in swagger.lower()


def test_private_layers_stay_invisible(client, ready_layer):
    ready_layer("secret", [("POINT(27.5 53.9)", {"a": 1})], is_public=False)
    _, collections = get_json(client, "/ogc/collections")
    assert "secret" not in [c["id"] for c in collections["collections"]]
    for url in ("/ogc/collections/secret", "/ogc/collections/secret/items",
                "/ogc/collections/secret/queryables"):  # fmt: skip
        get_json(client, url, status=404)
    owner = get_user_model().objects.create_user("owner", password="x")
    from layers.models import Layer

    Layer.objects.filter(slug="secret").update(owner=owner)
    client.force_login(owner)
    _, page = get_json(client, "/ogc/collections/secret/items")
    assert page["numberMatched"] == 1


def test_openapi_document(client, minsk_points):
    _, document = get_json(client, "/ogc/api")
    assert document["openapi"].startswith("3.0")
    items = document["paths"]["/collections/{collectionId}/items"]["get"]
    shared = document["components"]["parameters"]
    names = {shared[p["$ref"].rsplit("/", 1)[1]]["name"] for p in items["parameters"]
             if "$ref" in p}  # fmt: skip
    assert {"limit", "bbox", "crs", "bbox-crs", "filter", "filter-lang", "datetime"} <= names
    assert shared["limit"]["schema"]["maximum"] == 10000
    assert document["servers"][0]["url"] == "http://testserver/ogc"


def test_every_response_type_is_valid_geojson(client, minsk_points, polygons, demo):
    collection_validator = validator("FeatureCollection")
    feature_validator = validator("Feature")
    names = {"minsk-points": "name", "sample-polygons": "name", "cities": "name_en",
             "regions": "name_en"}  # fmt: skip
    for collection_id, name in names.items():
        for query in ("", "?limit=3", "?crs=EPSG:3857&limit=2", f"?properties={name}&limit=2"):
            _, page = get_json(client, f"/ogc/collections/{collection_id}/items{query}")
            collection_validator.validate(page)
            assert page["features"]
            _, item = get_json(
                client, f"/ogc/collections/{collection_id}/items/{page['features'][0]['id']}"
            )
            feature_validator.validate(item)
    _, empty = get_json(client, f"{ITEMS}?bbox=20,40,21,41")
    collection_validator.validate(empty)
    assert empty["numberMatched"] == empty["numberReturned"] == 0
    _, rest = get_json(client, "/api/v1/layers/sample-polygons/features/")
    collection_validator.validate(rest)


def test_services_collection(client, demo):
    from django.contrib.gis.geos import Point

    from cities.models import ServiceCategory, ServiceLocation
    from cities.services.demo import load_categories

    load_categories()
    category = ServiceCategory.objects.order_by("slug").first()
    service = ServiceLocation.objects.create(
        name_be="Тэст", name_ru="Тест", name_en="Test (sample)", category=category,
        location=Point(27.5615, 53.9045, srid=4326), source="test",
        opening_hours="Mo-Fr 08:00-20:00",
    )  # fmt: skip
    _, collections = get_json(client, "/ogc/collections")
    assert "services" in [c["id"] for c in collections["collections"]]
    _, page = get_json(client, "/ogc/collections/services/items")
    assert page["numberMatched"] == 1
    validator("FeatureCollection").validate(page)
    _, item = get_json(client, f"/ogc/collections/services/items/{service.pk}")
    assert item["properties"]["category"] == category.slug
    assert item["properties"]["city"] == "minsk"
    assert item["geometry"] == {"type": "Point", "coordinates": [27.5615, 53.9045]}
    get_json(client, "/ogc/collections/services/items/not-a-number", status=404)
    _, filtered = get_json(client, f"/ogc/collections/services/items?category={category.slug}"
                                   "&filter=wheelchair%20%3D%20%27unknown%27")  # fmt: skip
    assert filtered["numberMatched"] == 1
    _, queryables = get_json(client, "/ogc/collections/services/queryables")
    assert queryables["properties"]["updated"]["format"] == "date-time"


@pytest.mark.parametrize(
    "query",
    [
        "offset=100000000000000000000", "filter=rank%20%3D%201e400",
        "bbox=-1e300,-1e300,1e300,1e300&bbox-crs=EPSG:3857", "filter=rank%20%3D%20",
        "limit=1e3", "bbox=nan,0,1,1", "crs=", "filter-lang=cql2-text",
    ],
)  # fmt: skip
def test_extreme_input_is_never_a_500(client, minsk_points, query):
    response = client.get(f"{ITEMS}?{query}")
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert json.loads(response.content)["code"] == "InvalidParameterValue"


def test_huge_limit_is_clamped_not_refused(client, minsk_points):
    _, page = get_json(client, f"{ITEMS}?limit=100000000000000000000000")
    assert page["numberReturned"] == 250


def test_unfiltered_pages_take_number_matched_from_the_stored_count(client, minsk_points):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        _, page = get_json(client, f"{ITEMS}?limit=10")
    assert page["numberMatched"] == minsk_points.feature_count == 250
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    # Any condition makes it count the matching rows.
    with CaptureQueriesContext(connection) as queries:
        _, page = get_json(client, f"{ITEMS}?limit=10&kind=park")
    assert page["numberMatched"] == 83
    assert [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
