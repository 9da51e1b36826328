"""The Celery task of a layer import (settings.CELERY_IMPORTS names this module)."""

from celery import shared_task

from .pipeline import run_import


@shared_task(name="layers.import_layer")
def import_layer_task(version_id):
    """Import a queued upload; the outcome is recorded on the layer and its version."""
    run_import(version_id)
