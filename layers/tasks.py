from celery import shared_task

from .importers import run_import


@shared_task(name="layers.import_layer")
def import_layer_task(version_id, path, options):
    """Import a queued upload; the outcome is recorded on the layer and its version."""
    run_import(version_id, path, options, remove_file=True)
