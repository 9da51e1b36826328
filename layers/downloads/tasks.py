"""The Celery task that makes a whole layer's download (settings.CELERY_IMPORTS names this
module), and its queueing, once per layer version and format."""

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from ..access import layer_cache_version
from . import store


@shared_task(name="layers.build_download")
def build_download_task(layer_id, fmt):
    """Make and store the file; a second delivery of the same task finds it made."""
    store.build(layer_id, fmt)


def request_build(layer, fmt):
    """Queue the build of the layer's file in this format unless one is queued, running or has
    just failed. Returns the build state (store.QUEUED or store.FAILED)."""
    key = store.build_key(layer.pk, layer_cache_version(layer), fmt)
    if not cache.add(key, store.QUEUED, settings.DOWNLOAD_BUILD_TIMEOUT):
        return cache.get(key) or store.QUEUED
    try:
        build_download_task.delay(layer.pk, fmt)
    except Exception:
        cache.delete(key)
        raise
    return store.QUEUED
