"""Part 4 over real HTTP against a live server (requests, as a script or QGIS would send them), then
read back by GDAL's OAPIF driver with the same token. GDAL 3.6's OAPIF driver reads only: it has
no writer to test with (the last test notices if Debian's GDAL gains one)."""

import json
import os
import subprocess

import pytest
import requests
from editing_fixtures import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def call(method, url, token, body=None, **headers):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/geo+json",
               **{k.replace("_", "-"): v for k, v in headers.items()}}  # fmt: skip
    response = requests.request(method, url, data=data, headers=headers, timeout=30)
    return response.status_code, response.headers, response.content


def test_real_requests_then_gdal_reads_the_edits_with_the_token(
    live_server, city_layer, planner_of
):
    city_layer("brest", slug="brest-private", is_public=False)
    token = planner_of("brest").token
    items = f"{live_server.url}/ogc/collections/brest-private/items"
    point = {"type": "Point", "coordinates": [23.6950, 52.0930]}
    status, headers, _ = call("POST", items, token, {
        "type": "Feature", "geometry": point, "properties": {"name": "From a script"}})  # fmt: skip
    assert status == 201
    item = headers["Location"]
    status, put_headers, body = call("PUT", item, token, {
        "type": "Feature", "geometry": point, "properties": {"name": "Replaced", "routes": 2}},
        If_Match=headers["ETag"])  # fmt: skip
    assert status == 200, body
    status, _, body = call("PATCH", item, token, {"properties": {"routes": 3}},
                           If_Match=headers["ETag"])  # fmt: skip
    assert status == 412, body
    status, _, _ = call("PATCH", item, token, {"properties": {"routes": 3}},
                        If_Match=put_headers["ETag"])  # fmt: skip
    assert status == 200

    env = {**os.environ, "GDAL_HTTP_HEADERS": f"Authorization: Token {token}"}
    result = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-q", f"OAPIF:{live_server.url}/ogc/", "brest-private"],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "name (String) = Replaced" in result.stdout
    assert "routes (Integer) = 3" in result.stdout
    assert result.stdout.count("OGRFeature") == 4

    status, _, _ = call("DELETE", item, token)
    assert status == 204
    anonymous = subprocess.run(
        ["ogrinfo", "-ro", "-q", f"OAPIF:{live_server.url}/ogc/"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "brest-private" not in anonymous.stdout


def test_debian_gdal_oapif_driver_cannot_write():
    out = subprocess.run(["ogrinfo", "--format", "OAPIF"], capture_output=True, text=True,
                         timeout=60).stdout  # fmt: skip
    assert "Open()" in out
    assert "Create()" not in out and "Update" not in out
