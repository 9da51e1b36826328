"""REST API: /api/v1/layers/<slug>/features/, the error format, the OpenAPI schema and docs, and
tokens issued and revoked in the admin."""

import json

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from layers.api import parse_feature_query

URL = "/api/v1/layers/minsk-points/features/"


def get(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, response.content[:400]
    return response, json.loads(response.content)


def test_pages_with_next_and_previous(client, minsk_points):
    response, page = get(client, URL, page_size=100)
    assert response["Content-Type"] == "application/geo+json"
    assert page["type"] == "FeatureCollection" and page["count"] == 250
    assert page["previous"] is None and len(page["features"]) == 100
    seen = [f["properties"]["name"] for f in page["features"]]
    while page["next"]:
        _, page = get(client, page["next"].replace("http://testserver", ""))
        assert page["previous"]
        seen += [f["properties"]["name"] for f in page["features"]]
    assert seen == [f"Point {i:03d}" for i in range(250)]


def test_bbox_property_filters_and_selection(client, minsk_points):
    _, page = get(client, URL, bbox="27.395,53.845,27.425,53.855")
    assert [f["properties"]["name"] for f in page["features"]] == [
        "Point 000", "Point 001", "Point 002"
    ]  # fmt: skip
    _, page = get(client, URL, **{"prop.kind": "park", "prop.rank": "5"})
    assert [f["properties"]["name"] for f in page["features"]] == ["Point 005"]
    assert page["count"] == 1
    _, page = get(client, URL, properties="name,rank", page_size=1)
    assert page["features"][0]["properties"] == {"name": "Point 000", "rank": 0}
    assert page["features"][0]["geometry"] == {"type": "Point", "coordinates": [27.4, 53.85]}


def test_parse_feature_query_directly(minsk_points):
    query, page, size, select = parse_feature_query(
        minsk_points, {"prop.kind": "school", "page_size": "50000", "properties": "name"}
    )
    assert (page, size, select) == (1, 10000, ["name"])
    assert query.count() == 84


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "1,2,3"}, {"bbox": "a,b,c,d"}, {"bbox": "27,54,26,53"}, {"page": "0"},
        {"page": "x"}, {"page_size": "-1"}, {"color": "red"},
    ],
)  # fmt: skip
def test_bad_input_is_a_400_in_the_one_format(client, minsk_points, params):
    _, body = get(client, URL, status=400, **params)
    assert set(body) == {"detail", "code"} and body["code"] == "invalid"


def test_404s_in_the_one_format(client, minsk_points, ready_layer):
    ready_layer("secret", [("POINT(27.5 53.9)", {"a": 1})], is_public=False)
    for url in ("/api/v1/layers/nothing/features/", "/api/v1/layers/secret/features/",
                "/api/v1/no-such-endpoint/"):  # fmt: skip
        _, body = get(client, url, status=404)
        assert body["code"] == "not_found" and body["detail"]
    _, body = get(client, URL, status=404, page=99)
    assert body["code"] == "not_found" and body["detail"]


def test_private_layer_with_a_token(client, ready_layer):
    owner = get_user_model().objects.create_user("owner", password="x")
    ready_layer("secret", [("POINT(27.5 53.9)", {"a": 1})], is_public=False, owner=owner)
    token = Token.objects.create(user=owner)
    response = client.get("/api/v1/layers/secret/features/",
                          headers={"Authorization": f"Token {token.key}"})  # fmt: skip
    assert response.status_code == 200 and json.loads(response.content)["count"] == 1
    response = client.get("/api/v1/layers/secret/features/",
                          headers={"Authorization": "Token wrong"})  # fmt: skip
    assert response.status_code == 401
    assert json.loads(response.content)["code"] == "authentication_failed"


def test_tokens_are_issued_and_revoked_in_the_admin(client, minsk_points):
    admin = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    user = get_user_model().objects.create_user("developer", password="x")
    client.force_login(admin)
    response = client.post("/admin/authtoken/tokenproxy/add/", {"user": user.pk})
    assert response.status_code == 302, response.content[:2000]
    key = Token.objects.get(user=user).key
    changelist = client.get("/admin/authtoken/tokenproxy/")
    assert changelist.status_code == 200 and b"developer" in changelist.content
    client.logout()
    assert client.get(URL, headers={"Authorization": f"Token {key}"}).status_code == 200

    client.force_login(admin)
    # The admin addresses a token by its user (DRF maps the proxy pk to the user id).
    response = client.post(f"/admin/authtoken/tokenproxy/{user.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    client.logout()
    assert client.get(URL, headers={"Authorization": f"Token {key}"}).status_code == 401


def test_rate_limit_answers_429_in_the_one_format(client, minsk_points, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "2/minute"}
    statuses = [client.get(URL).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    body = client.get(URL).json()
    assert body["code"] == "throttled" and set(body) == {"detail", "code"}


def test_openapi_schema_and_docs(client, minsk_points):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    operation = schema["paths"]["/api/v1/layers/{slug}/features/"]["get"]
    params = {p["name"] for p in operation["parameters"]}
    assert {"bbox", "page", "page_size", "properties", "prop.<name>"} <= params
    geojson = operation["responses"]["200"]["content"]["application/geo+json"]["schema"]
    assert geojson["properties"]["type"]["enum"] == ["FeatureCollection"]
    assert "400" in operation["responses"]
    docs = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn.jsdelivr" not in docs
    redoc = client.get("/api/v1/docs/redoc/").content.decode()
    assert "/static/drf_spectacular_sidecar/redoc/" in redoc
    asset = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200


def test_cors_allows_reads_from_any_origin(client, minsk_points):
    for url in (URL, "/ogc/collections/minsk-points/items"):
        response = client.get(url, headers={"Origin": "https://example.org"})
        assert response["Access-Control-Allow-Origin"] == "*"
