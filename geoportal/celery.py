"""The Celery application: background work (layer imports, KPI computation) runs on Redis."""

import os

from celery import Celery
from celery.signals import worker_init
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoportal.settings")

app = Celery("geoportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def load_url_patterns(**_signal):
    """Load the URLconf (every view module) as the worker starts, before the pool forks: an
    import's swap saves the layer, whose search entry reverses its URL, and loading them then,
    about a second, would hold the feature table's lock for that long."""
    get_resolver().url_patterns  # noqa: B018 (a cached property, read for its side effect)
