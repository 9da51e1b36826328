"""An upload goes through Redis to a real Celery worker, which imports it; a worker killed in the
middle of an import is recovered from: the layer keeps serving its previous version, and the
import is queued again or marked failed, in plain words, within seconds (short timings here)."""

import signal
import time
from datetime import timedelta

import pytest
from conftest import TEST_DATA
from django.core.files import File
from django.db import connection
from django.utils import timezone, translation
from rest_framework.test import APIClient

from geoportal.gis.staging import new_staging_table
from layers.imports import recovery
from layers.imports.queue import import_now, queue_import, receive_upload
from layers.models import Feature, Layer, LayerVersion

pytestmark = pytest.mark.usefixtures("english")

# A worker's import that says nothing for IMPORT_STALE_SECONDS is taken for dead.
FAST_RECOVERY = {
    "IMPORT_HEARTBEAT_SECONDS": "0.5",
    "IMPORT_STALE_SECONDS": "3",
    "IMPORT_SWEEP_SECONDS": "1",
}


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds} s for {what}")


def test_upload_is_imported_by_a_real_worker(start_worker, planner_of, settings):
    start_worker()
    planner = planner_of("grodno")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {planner.token}")
    with open(TEST_DATA / "settlements_50.csv", "rb") as handle:
        response = client.post(
            "/api/v1/layers/",
            {"file": handle, "title": "Settlements", "city": "grodno"},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    url = response.json()["url"]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        body = client.get(url).json()
        if body["status"] in {"ready", "failed"}:
            break
        time.sleep(0.5)
    assert body["status"] == "ready", body
    assert body["feature_count"] == 50
    layer = Layer.objects.get(slug=body["slug"])
    assert layer.versions.get().status == "ready"
    assert list(settings.IMPORT_ROOT.iterdir()) == []


ROWS = 100_000


@pytest.fixture
def layer_and_big_upload(transactional_db, tmp_path, settings):
    """A published layer (v1, 50 settlements) and a queued-to-be re-import: a SYNTHETIC grid of
    points (test data, not real places) big enough to take a few seconds."""
    settings.IMPORT_ROOT = tmp_path / "imports"
    layer = Layer.objects.create(slug="settlements", title_en="Settlements", is_public=True)
    import_now(layer, TEST_DATA / "settlements_50.csv")
    path = tmp_path / "grid.csv"
    with open(path, "w") as handle:
        handle.write("longitude,latitude,label\n")
        for i in range(ROWS):
            handle.write(f"{24 + (i % 400) * 0.02:.3f},{51.5 + (i // 400) * 0.016:.3f},grid {i}\n")
    with open(path, "rb") as handle:
        source = receive_upload(File(handle, name="grid.csv"))
    return layer, source


def serves_version_1(layer):
    layer.refresh_from_db()
    return (
        layer.version == 1
        and layer.feature_count == 50
        and Feature.objects.filter(layer=layer).count() == 50
    )


def count(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def staging_tables_and_loose_partitions(layer):
    """Tables an import leaves if not cleaned up: staging tables (other tests' may be there too:
    compare with the count before) and the layer's new partitions not attached."""
    return count(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'import_staging' "
        "OR (tablename LIKE %s AND tablename NOT IN (SELECT c.relname FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid))",
        [f"layers_feature_{layer.pk}_%"],
    )


def test_a_worker_killed_while_staging_is_replaced_and_the_import_retried(
    start_worker, layer_and_big_upload, settings
):
    layer, source = layer_and_big_upload
    tables = staging_tables_and_loose_partitions(layer)
    worker = start_worker(**FAST_RECOVERY)
    version = queue_import(layer, source, "grid.csv")

    def staging():
        table = LayerVersion.objects.get(pk=version.pk).staging_table.partition(".")[2]
        return count(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'import_staging' AND tablename = %s",
            [table],
        )

    wait_for(staging, 60, "ogr2ogr to be writing the staging table")
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert serves_version_1(layer)

    start_worker(**FAST_RECOVERY)
    wait_for(
        lambda: LayerVersion.objects.get(pk=version.pk).status == "ready", 90, "the retried import"
    )
    version.refresh_from_db()
    assert version.attempts == 2
    layer.refresh_from_db()
    assert (layer.version, layer.feature_count, layer.status) == (version.number, ROWS, "ready")
    assert Feature.objects.filter(layer=layer).count() == ROWS
    assert staging_tables_and_loose_partitions(layer) == tables
    assert list(settings.IMPORT_ROOT.iterdir()) == []


def test_a_worker_killed_while_swapping_leaves_the_previous_version_and_a_plain_failure(
    start_worker, layer_and_big_upload, settings
):
    layer, source = layer_and_big_upload
    tables = staging_tables_and_loose_partitions(layer)
    once = {**FAST_RECOVERY, "IMPORT_MAX_ATTEMPTS": "1"}
    worker = start_worker(**once)
    version = queue_import(layer, source, "grid.csv")

    # ogr2ogr COPYing into the next partition, or the partition being settled and indexed.
    filling = (
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
        "AND (query LIKE 'COPY %%import_staging%%' OR query LIKE '%%FROM import_staging.%%' "
        "OR query LIKE 'CREATE INDEX ON import_staging.%%')"
    )
    wait_for(lambda: count(filling), 90, "the new partition to be filled")
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert serves_version_1(layer)

    start_worker(**once)
    wait_for(lambda: LayerVersion.objects.get(pk=version.pk).status == "failed", 60, "the sweep")
    version.refresh_from_db()
    # In the worker's language, the portal's default.
    settings.IMPORT_MAX_ATTEMPTS = 1
    with translation.override("be"):
        assert version.error_message == recovery.lost_worker_message(1)
    assert "(спроба 1 з 1)" in version.error_message
    assert serves_version_1(layer)
    assert layer.status == "ready" and layer.error_message == version.error_message
    assert list(settings.IMPORT_ROOT.iterdir()) == []
    # The killed worker's transaction is rolled back once PostgreSQL sees it gone: no loose table.
    wait_for(lambda: staging_tables_and_loose_partitions(layer) == tables, 30, "the tables to go")


def test_the_sweep_cleans_up_after_a_worker_killed_after_the_swap(layer_and_big_upload, settings):
    """The new version was committed, then the worker died before dropping its staging table
    and removing the upload: the sweep does it once the heartbeat is old."""
    layer, source = layer_and_big_upload
    tables = staging_tables_and_loose_partitions(layer)
    version = queue_import(layer, source, "grid.csv")
    table = new_staging_table()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} (x integer)")
    LayerVersion.objects.filter(pk=version.pk).update(
        status="ready", staging_table=table, heartbeat=timezone.now() - timedelta(minutes=5)
    )
    assert list(settings.IMPORT_ROOT.iterdir())
    assert recovery.sweep() == ([], [])
    assert staging_tables_and_loose_partitions(layer) == tables
    assert list(settings.IMPORT_ROOT.iterdir()) == []
    assert LayerVersion.objects.get(pk=version.pk).staging_table == ""
