"""Imports that survive faults.

- claim: a worker takes a version only if it is queued, or importing with a stopped heartbeat
  (a task delivered twice, say after Redis's visibility timeout, runs once).
- Heartbeat: while a worker imports a version, a thread of its own touches
  LayerVersion.heartbeat every IMPORT_HEARTBEAT_SECONDS, on its own database connection (the
  import's may be busy in one long statement for minutes).
- sweep (Celery beat, every IMPORT_SWEEP_SECONDS, and when a worker starts): an import whose
  heartbeat is older than IMPORT_STALE_SECONDS lost its worker (killed, out of memory, host
  gone). Its staging table is dropped and it is queued again while it has attempts left and its
  upload is still there; else it is marked failed, in plain words, and the upload removed. The
  layer serves its previous version throughout: nothing of a new version is visible before the
  swap's transaction commits.
- A worker killed in the middle of a statement leaves a server process running it for nobody:
  detect_lost_client makes PostgreSQL check the client every few seconds and roll back.
"""

import logging
import threading
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from geoportal.gis.files import discard_upload
from geoportal.gis.staging import drop_staged, new_staging_table

from ..models import Layer, LayerVersion

logger = logging.getLogger(__name__)


def lost_database_message():
    return _(
        "The connection to the database was lost during the import (the database may have "
        "restarted). The layer still shows its previous version; please upload the file again."
    )


def lost_worker_message(attempts):
    return _(
        "The import stopped because the program running it stopped (attempt %(attempts)s of "
        "%(max)s). The layer still shows its previous version. Please upload the file again; if "
        "this happens again, the file may be too large for the server: tell an administrator."
    ) % {"attempts": attempts, "max": settings.IMPORT_MAX_ATTEMPTS}


def _stale_before():
    return timezone.now() - timedelta(seconds=settings.IMPORT_STALE_SECONDS)


def claim(version_id):
    """Take the version for this worker: mark it importing with a fresh heartbeat and a new
    staging table name, and count the attempt. Returns the version, or None if it is done,
    failed, or being imported by a live worker."""
    claimable = Q(status=Layer.Status.QUEUED) | Q(
        Q(heartbeat__lt=_stale_before()) | Q(heartbeat=None), status=Layer.Status.IMPORTING
    )
    with transaction.atomic():
        version = (
            LayerVersion.objects.select_for_update()
            .select_related("layer")
            .filter(claimable, pk=version_id)
            .first()
        )
        if version is None:
            return None
        dead_table = version.staging_table
        version.status = Layer.Status.IMPORTING
        version.heartbeat = timezone.now()
        version.attempts += 1
        version.staging_table = new_staging_table()
        version.save(update_fields=["status", "heartbeat", "attempts", "staging_table"])
    if dead_table:
        drop_staging_table(dead_table)
    return version


class Heartbeat:
    """A thread touching the version's heartbeat until the block ends."""

    def __init__(self, version_id):
        self.version_id = version_id
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name="import-heartbeat")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()

    def _beat(self):
        try:
            while not self.stopped.wait(settings.IMPORT_HEARTBEAT_SECONDS):
                try:
                    LayerVersion.objects.filter(
                        pk=self.version_id, status=Layer.Status.IMPORTING
                    ).update(heartbeat=timezone.now())
                except Exception:
                    # A lost database is the import's to report; the beat tries again.
                    logger.warning("heartbeat of import %s failed", self.version_id)
                    connection.close()
        finally:
            connection.close()


def detect_lost_client():
    """Ask PostgreSQL to check, every few seconds of a long statement, that this client is still
    there, and to roll back if not (PostgreSQL 14+)."""
    with connection.cursor() as cursor:
        cursor.execute("SET client_connection_check_interval = '5s'")


def reconnect():
    """Drop a connection that died with the database (the next query opens a new one)."""
    if connection.connection is not None and not connection.is_usable():
        connection.close()


def upload_path(version):
    """A version's stored file: the upload as received (until the worker has inspected it) or
    the dataset its inspection found (a zip's unpacked .shp, in the same folder); or None."""
    data = version.source or {}
    path = data.get("upload") or data.get("path")
    return Path(path) if path else None


def clean_up(version):
    """After an import, whatever its outcome: drop its staging table and remove its upload, then
    say so on the version (the sweep cleans up after a worker killed before this)."""
    reconnect()
    if drop_staging_table(version.staging_table):
        if (path := upload_path(version)) is not None:
            discard_upload(path)
        LayerVersion.objects.filter(pk=version.pk).update(staging_table="")


def drop_staging_table(table):
    """Drop a staging table; a lock held by a dying ogr2ogr postpones it to the next sweep."""
    if not table:
        return True
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            drop_staged(table)
        return True
    except Exception:
        logger.warning("staging table %s not dropped yet", table)
        return False


def sweep():
    """Find imports whose worker is gone; clean up after them and mark them queued again (the
    caller, tasks.sweep_task, queues them) or failed. Returns the version ids (requeued, failed)."""
    requeued, failed = [], []
    stale = LayerVersion.objects.filter(
        Q(heartbeat__lt=_stale_before()) | Q(heartbeat=None), status=Layer.Status.IMPORTING
    )
    for version_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            version = stale.select_for_update(skip_locked=True).filter(pk=version_id).first()
            if version is None:
                continue
            source = upload_path(version)
            upload_there = source is not None and source.exists()
            if version.attempts < settings.IMPORT_MAX_ATTEMPTS and upload_there:
                version.status = Layer.Status.QUEUED
                version.heartbeat = timezone.now()
                version.save(update_fields=["status", "heartbeat"])
                Layer.objects.filter(pk=version.layer_id).update(
                    status=Layer.Status.QUEUED, progress=0
                )
                requeued.append(version.pk)
            else:
                record_failure(version.layer_id, version.pk, lost_worker_message(version.attempts))
                if source is not None:
                    discard_upload(source)
                failed.append(version.pk)
        if version.staging_table:
            drop_staging_table(version.staging_table)
    # Imports that ended but whose worker died before cleaning up after them.
    ended = LayerVersion.objects.filter(
        status__in=[Layer.Status.READY, Layer.Status.FAILED], heartbeat__lt=_stale_before()
    ).exclude(staging_table="")
    for version in ended:
        clean_up(version)
    for ids, what in ((requeued, "queued again"), (failed, "failed")):
        if ids:
            logger.warning("imports whose worker stopped, %s: versions %s", what, ids)
    return requeued, failed


def record_failure(layer_id, version_id, message):
    """Record the failure; the features and metadata of the last good import stay as they were."""
    LayerVersion.objects.filter(pk=version_id).update(
        status=Layer.Status.FAILED, error_message=message
    )
    layer = Layer.objects.get(pk=layer_id)
    # A layer that has good data keeps showing it: the failed version carries the error.
    status = Layer.Status.READY if layer.version else Layer.Status.FAILED
    Layer.objects.filter(pk=layer_id).update(status=status, progress=0, error_message=message)
