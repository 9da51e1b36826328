"""A developer reads a private layer with GDAL: ogrinfo (Debian's GDAL 3.6) sends the API token
in a header (GDAL_HTTP_HEADERS) to the OGC API of the live test server, and sees the layer that
an anonymous ogrinfo does not."""

import subprocess

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def ogrinfo(url, layer, headers=None):
    env = {"PATH": "/usr/bin:/bin"}
    if headers:
        env["GDAL_HTTP_HEADERS"] = headers
    return subprocess.run(["ogrinfo", "-ro", "-so", f"OAPIF:{url}", layer],
                          capture_output=True, text=True, timeout=120, env=env)  # fmt: skip


def test_ogrinfo_reads_a_private_layer_with_a_token_header(live_server, ready_layer, planner_of):
    planner = planner_of("pinsk")
    from cities.models import City

    points = [(f"POINT(26.1 52.1{i})", {"name": f"stop {i}"}) for i in range(3)]
    ready_layer("pinsk-private", points, is_public=False, city=City.objects.get(slug="pinsk"))
    url = f"{live_server.url}/ogc/"
    anonymous = ogrinfo(url, "pinsk-private")
    assert anonymous.returncode != 0
    with_token = ogrinfo(url, "pinsk-private", f"Authorization: Token {planner.token}")
    assert with_token.returncode == 0, with_token.stderr
    assert "Feature Count: 3" in with_token.stdout
    wrong = ogrinfo(url, "pinsk-private", "Authorization: Token 0000")
    assert wrong.returncode != 0
