"""The Celery tasks of layer imports (settings.CELERY_IMPORTS names this module): the import of
a queued upload, and the sweep that recovers imports whose worker stopped (Celery beat runs it
every IMPORT_SWEEP_SECONDS; every worker also queues one when it starts)."""

from celery import shared_task
from celery.signals import worker_ready

from ..downloads import store
from . import recovery
from .pipeline import run_import


@shared_task(name="layers.import_layer")
def import_layer_task(version_id):
    """Import a queued upload; the outcome is recorded on the layer and its version."""
    run_import(version_id)


@shared_task(name="layers.sweep")
def sweep_task():
    """Queue again or fail the imports whose worker stopped; remove what killed download
    builds left."""
    requeued, failed = recovery.sweep()
    for version_id in requeued:
        import_layer_task.delay(version_id)
    return {"requeued": requeued, "failed": failed, "download_folders": store.sweep()}


@worker_ready.connect
def sweep_when_a_worker_starts(sender, **kwargs):
    """A worker that starts may be the one that was killed: recover its imports now."""
    sweep_task.delay()
