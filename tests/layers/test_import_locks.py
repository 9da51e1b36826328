"""An import's partition swap and an edit of the same layer at the same time: neither deadlocks,
the edit is not kept waiting while the import copies rows, and neither loses the other's work.
And an import whose database connection is killed says so plainly."""

import logging
import threading
import time

import psycopg
import pytest
from conftest import TEST_DATA
from django.contrib.auth.models import User
from django.db import connection
from rest_framework.test import APIClient

from geoportal.gis.inspect import inspect
from layers.imports import pipeline
from layers.imports.queue import create_version, import_now
from layers.models import Feature, Layer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english")]


@pytest.fixture
def oblasts():
    layer = Layer.objects.create(slug="oblasts", title_en="Oblasts", is_public=True)
    import_now(layer, TEST_DATA / "oblasts.kml")
    layer.refresh_from_db()
    return layer


def other_connection():
    """A connection of its own, as another web process has."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"], host=db["HOST"], port=db["PORT"], user=db["USER"], autocommit=False
    )


class HeldImport:
    """A re-import in a thread of its own, held after its new partition is filled (inside its
    transaction, before the swap) until released."""

    def __init__(self, layer, monkeypatch):
        self.filled, self.release = threading.Event(), threading.Event()
        swap_in = pipeline.swap_in

        def held_swap_in(*args, **kwargs):
            self.backend_pid = connection.connection.info.backend_pid
            self.filled.set()
            assert self.release.wait(60)
            return swap_in(*args, **kwargs)

        monkeypatch.setattr(pipeline, "swap_in", held_swap_in)
        source = inspect(TEST_DATA / "target_cities_17.gpx", TEST_DATA)
        self.version = create_version(layer, "target_cities_17.gpx", source=source)
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        try:
            pipeline.run_import(self.version.pk)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.filled.wait(60)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(90)
        assert not self.thread.is_alive()


def in_thread(work, seconds):
    """Run work() in another thread (its own database connection); fail if it takes longer."""
    result = {}

    def run():
        try:
            result["value"] = work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still blocked after {seconds} s"
    return result["value"], time.monotonic() - started


def test_an_edit_and_an_import_of_the_same_layer_at_once(oblasts, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="layers.imports.pipeline")
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("editor"))
    with HeldImport(oblasts, monkeypatch) as held:
        # The import has copied its rows: an API edit goes through at once (it used to wait for
        # the whole copy, then deadlock with the swap).
        response, seconds = in_thread(
            lambda: client.patch(
                "/api/v1/layers/oblasts/", {"title_en": "Edited during the import"}, format="json"
            ),
            10,
        )
        assert response.status_code == 200, response.content
        assert seconds < 5
        # An admin save still open (its transaction has updated the layer's row) when the swap
        # starts: the swap waits for it, stepping back and trying again, then goes on.
        editor = other_connection()
        editor.execute("UPDATE layers_layer SET title_ru = 'Вобласці' WHERE id = %s", [oblasts.pk])
        held.release.set()
        time.sleep(2.5)
        assert Layer.objects.get(pk=oblasts.pk).version == 1  # still waiting
        editor.commit()
        editor.close()
    held.version.refresh_from_db()
    assert held.version.status == "ready", held.version.error_message
    oblasts.refresh_from_db()
    assert (oblasts.version, oblasts.feature_count) == (2, 17)
    assert Feature.objects.filter(layer=oblasts).count() == 17
    # Both edits are kept: the import writes only its own fields.
    assert (oblasts.title_en, oblasts.title_ru) == ("Edited during the import", "Вобласці")
    assert "waits for a lock" in caplog.text
    assert "deadlock" not in caplog.text


def test_a_swap_that_cannot_get_its_locks_gives_up_plainly(oblasts, monkeypatch, settings):
    """A read of the features that never ends: the swap keeps stepping back (readers are not
    queued behind it for long), then gives up with a plain message; v1 stays."""
    settings.IMPORT_SWAP_PATIENCE = 2
    reader = other_connection()
    reader.execute("SELECT count(*) FROM layers_feature WHERE layer_id = %s", [oblasts.pk])
    try:
        with HeldImport(oblasts, monkeypatch) as held:
            held.release.set()
            time.sleep(0.3)
            # While the swap tries, steps back and tries again, other readers get through.
            with other_connection() as second:
                second.execute("SET statement_timeout = '5s'")
                count = second.execute(
                    "SELECT count(*) FROM layers_feature WHERE layer_id = %s", [oblasts.pk]
                ).fetchone()[0]
                assert count == 7
    finally:
        reader.rollback()
        reader.close()
    held.version.refresh_from_db()
    assert held.version.status == "failed"
    assert held.version.error_message.startswith("The layer was in use")
    oblasts.refresh_from_db()
    assert (oblasts.version, oblasts.feature_count, oblasts.status) == (1, 7, "ready")
    assert Feature.objects.filter(layer=oblasts).count() == 7


def test_a_killed_database_connection_is_reported_plainly(oblasts, monkeypatch):
    with HeldImport(oblasts, monkeypatch) as held, other_connection() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [held.backend_pid])
    held.version.refresh_from_db()
    assert held.version.status == "failed"
    message = held.version.error_message
    assert message.startswith("The connection to the database was lost during the import")
    for technical in ("terminating", "psycopg", "SQL", "connection to server", "Error"):
        assert technical not in message
    oblasts.refresh_from_db()
    assert (oblasts.version, oblasts.feature_count, oblasts.status) == (1, 7, "ready")
    assert oblasts.error_message == message
    assert Feature.objects.filter(layer=oblasts).count() == 7
