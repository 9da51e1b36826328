"""What QGIS asks for when a user adds the portal (docs/api.md, "QGIS"): its OAPIF provider
reads the collections with their extents and CRSs, the page sizes from `limit` under
components/parameters of /ogc/api, simple queryables from the items parameters, the queryables
document, pages through next links; its vector tile layer reads a URL template; both send the
token of an "API Header" authentication. (QGIS itself is not installed in the suite; these are
the fields its provider parses, see qgsoapifcollection.cpp, qgsoapifapirequest.cpp and
qgsoapifqueryablesrequest.cpp.)"""

import json

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from layers.models import Layer


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.content[:300])
    return json.loads(response.content)


def test_collections_with_extents_and_crs(client, minsk_points, demo):
    collections = get(client, "/ogc/collections", Accept="application/json")["collections"]
    assert {c["id"] for c in collections if "extent" not in c} == {"services"}  # none yet
    for collection in (c for c in collections if "extent" in c):
        spatial = collection["extent"]["spatial"]
        assert spatial["crs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        (west, south, east, north), *_ = spatial["bbox"]
        assert west <= east and south <= north, collection["id"]
        assert collection["storageCrs"] in collection["crs"]
        assert any(link["rel"] == "items" and link["type"] == "application/geo+json"
                   for link in collection["links"])  # fmt: skip


def test_page_sizes_and_simple_queryables_in_the_api_document(client, minsk_points):
    document = get(client, "/ogc/api", Accept="application/vnd.oai.openapi+json;version=3.0")
    limit = document["components"]["parameters"]["limit"]["schema"]
    assert (limit["default"], limit["maximum"]) == (100, 10000)
    parameters = document["paths"]["/collections/minsk-points/items"]["get"]["parameters"]
    simple = {p["name"]: p["schema"]["type"] for p in parameters
              if "name" in p and p["style"] == "form" and p["explode"] is False
              and p["name"] not in ("limit", "bbox", "properties")}  # fmt: skip
    assert simple == {"name": "string", "kind": "string", "rank": "integer", "score": "number",
                      "note": "string"}  # fmt: skip


def test_queryables_with_types_and_geometry(client, minsk_points):
    queryables = get(client, "/ogc/collections/minsk-points/queryables",
                     Accept="application/schema+json")["properties"]  # fmt: skip
    assert queryables["rank"]["type"] == "integer" and queryables["score"]["type"] == "number"
    assert queryables["geometry"]["x-ogc-role"] == "primary-geometry"


def test_pages_through_next_links_to_the_end(client, minsk_points):
    url, seen = "/ogc/collections/minsk-points/items?limit=100", 0
    while url:
        page = get(client, url, Accept="application/geo+json, application/json")
        seen += page["numberReturned"]
        url = next((link["href"].replace("http://testserver", "") for link in page["links"]
                    if link["rel"] == "next"), None)  # fmt: skip
    assert seen == 250


def test_tiles_metadata_leads_to_tiles(client, minsk_points):
    tileset = get(client, "/ogc/collections/minsk-points/tiles/WebMercatorQuad")
    template = next(link["href"] for link in tileset["links"] if link["rel"] == "item")
    assert "/tiles/minsk-points/{tileMatrix}/{tileCol}/{tileRow}.pbf" in template
    tilejson = get(client, "/tiles/minsk-points.json")
    assert tilejson["tiles"][0].split("?")[0].endswith("/tiles/minsk-points/{z}/{x}/{y}.pbf")
    url = tilejson["tiles"][0].replace("http://testserver", "").format(z=10, x=590, y=329)
    response = client.get(url)
    assert response.status_code == 200 and response.content


@pytest.mark.django_db
def test_a_token_opens_a_private_layer_on_both_doors(client, ready_layer):
    owner = get_user_model().objects.create_user("planner", password="x")
    ready_layer("draft", [("POINT(27.5 53.9)", {"a": 1})], is_public=False)
    Layer.objects.filter(slug="draft").update(owner=owner)
    token = {"Authorization": f"Token {Token.objects.create(user=owner).key}"}
    assert client.get("/ogc/collections/draft/items").status_code == 404
    assert get(client, "/ogc/collections/draft/items", **token)["numberMatched"] == 1
    assert "/collections/draft/items" in get(client, "/ogc/api", **token)["paths"]
    assert client.get("/tiles/draft/10/590/329.pbf", headers=token).status_code == 200
    assert client.get("/tiles/draft/10/590/329.pbf").status_code == 404
