"""Downloads of a selection are made in the request, so they are capped: features, bytes,
concurrent exports per client and in all; a stream stops when its client goes; temporary folders
are removed whatever happens."""

import logging
import socket
import time

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection

from layers.downloads import exporters, slots
from layers.models import Layer

BBOX = {"bbox": "27,53,29,55"}
URL = "/en/layers/sample-points/download/{}/"


@pytest.fixture
def points(ready_layer):
    features = [(f"POINT({27.5 + i / 100} 53.9)", {"name": f"Point {i}"}) for i in range(30)]
    return ready_layer("sample-points", features)


@pytest.mark.django_db
def test_a_selection_over_the_feature_cap_is_refused(client, points, settings):
    settings.DOWNLOAD_SELECTION_MAX_FEATURES = 10
    response = client.get(URL.format("geojson"), BBOX)
    assert response.status_code == 400
    assert "30 features" in response.content.decode()
    assert slots.in_use() == 0


@pytest.mark.django_db
def test_concurrent_exports_are_capped_per_client_and_in_all(client, points, settings):
    settings.DOWNLOAD_EXPORTS_PER_CLIENT, settings.DOWNLOAD_EXPORTS_TOTAL = 1, 2
    first = client.get(URL.format("csv"), BBOX, REMOTE_ADDR="10.0.0.1")
    assert first.status_code == 200  # streaming: the export holds its slot until closed
    again = client.get(URL.format("csv"), BBOX, REMOTE_ADDR="10.0.0.1")
    assert again.status_code == 429
    assert int(again["Retry-After"]) > 0
    other = client.get(URL.format("kml"), BBOX, REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 200
    third = client.get(URL.format("geojson"), BBOX, REMOTE_ADDR="10.0.0.3")
    assert third.status_code == 429
    assert slots.in_use() == 2
    hang_up(first)
    hang_up(other)
    assert slots.in_use() == 0
    response = client.get(URL.format("geojson"), BBOX, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).count(b'"Feature"') == 30
    assert slots.in_use() == 0


def hang_up(response):
    """Close the response, as the WSGI server does when its client has gone (the test client's
    own closing would also close the test's database connection)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_a_stream_past_the_byte_cap_breaks_off(client, points, settings):
    settings.DOWNLOAD_SELECTION_MAX_BYTES = 100
    response = client.get(URL.format("geojson"), BBOX)
    with pytest.raises(Exception, match="DOWNLOAD_SELECTION_MAX_BYTES"):
        b"".join(response.streaming_content)
    assert slots.in_use() == 0


@pytest.mark.django_db(transaction=True)
def test_temporary_folders_go_after_an_export_and_after_a_failure(
    client, points, settings, monkeypatch
):
    response = client.get(URL.format("gpkg"), BBOX)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"SQLite format 3")
    assert list((settings.DOWNLOADS_ROOT / "tmp").iterdir()) == []
    monkeypatch.setattr(exporters, "gdal_pg_dsn", lambda: "PG:dbname='no-such-database'")
    response = client.get(URL.format("shp"), BBOX)
    assert response.status_code == 503
    assert b"no-such-database" not in response.content  # no technical detail for the public
    assert list((settings.DOWNLOADS_ROOT / "tmp").iterdir()) == []
    assert slots.in_use() == 0


@pytest.fixture
def many_points(transactional_db):
    layer = Layer.objects.create(
        slug="many-points", title_en="Synthetic grid (test data)", is_public=True, version=1,
        status=Layer.Status.READY, feature_count=40000, geometry_type="Point",
        attributes=[{"name": "label", "type": "string"}],
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO layers_feature (layer_id, geom, properties) "
            "SELECT %s, ST_SetSRID(ST_MakePoint(27 + (i %% 200) / 100.0, 53 + (i / 200) / 100.0), "
            "4326), jsonb_build_object('label', repeat('x', 80) || i) "
            "FROM generate_series(1, 40000) AS i",
            [layer.pk],
        )
    return layer


def test_a_stream_stops_when_the_client_goes(live_server, many_points, settings, caplog):
    """A client that reads the first bytes and hangs up: the export stops there (its slot is
    given back and it says how far it got), instead of running to the end."""
    settings.DOWNLOAD_SELECTION_MAX_FEATURES = 50000
    caplog.set_level(logging.INFO, logger="layers.downloads.responses")
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(
            b"GET /en/layers/many-points/download/csv/?bbox=26,52,30,56 HTTP/1.1\r\n"
            b"Host: localhost\r\n\r\n"
        )
        received = sock.recv(65536)
        assert received.startswith(b"HTTP/1.1 200")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "stopped after" not in caplog.text:
        time.sleep(0.1)
    assert "stopped after" in caplog.text
    sent = int(caplog.text.split("stopped after ")[1].split()[0])
    assert sent < 40000 * 90  # far from the whole file
    assert slots.in_use() == 0
