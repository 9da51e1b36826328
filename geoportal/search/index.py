"""Keeping the search index fresh: each source is rewritten whole when it changes (the few
regions, cities and layers), a service on its own save, a layer's features when the layer has
a new version: in the Celery worker once the import is committed, for layers of up to
SEARCH_MAX_FEATURES features (a million points of a survey are no places to look up by name).
Bulk service imports send cities.services.imports.services_imported."""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from cities.models import City, Region, ServiceLocation
from cities.services.imports import services_imported
from layers.models import Layer

from . import sources
from .models import Entry

BATCH = 2000


def _replace(entries, **which):
    with transaction.atomic():
        Entry.objects.filter(**which).delete()
        batch = []
        for entry in entries:
            batch.append(entry)
            if len(batch) >= BATCH:
                Entry.objects.bulk_create(batch)
                batch = []
        Entry.objects.bulk_create(batch)


def refresh_regions(**_signal):
    _replace(sources.regions(), kind="region")


def refresh_cities(**_signal):
    _replace(sources.cities(), kind="city")


def refresh_services(**_signal):
    _replace(sources.services(), kind="service")


def refresh_layer_entry(layer):
    """The layer's own entry (its titles and keywords). A layer not published (or without an
    extent) leaves the index, features and all. True when it is in the index."""
    if layer.version == 0 or layer.extent is None:
        Entry.objects.filter(layer=layer).delete()
        return False
    _replace([sources.layer_entry(layer)], kind="layer", key=layer.slug)
    return True


def features_unread(layer):
    return not Entry.objects.filter(kind="feature", layer=layer, version=layer.version).exists()


def refresh_features(layer):
    """The layer's named features, when its version has not been read yet; none for a layer
    over SEARCH_MAX_FEATURES."""
    if layer.feature_count > settings.SEARCH_MAX_FEATURES:
        Entry.objects.filter(kind="feature", layer=layer).delete()
    elif features_unread(layer):
        _replace(sources.features(layer), kind="feature", layer=layer)


def refresh_layer(layer):
    """The layer's entry and its features', now."""
    if refresh_layer_entry(layer):
        refresh_features(layer)


@shared_task(ignore_result=True)
def index_layer_features(layer_id):
    layer = Layer.objects.filter(pk=layer_id).first()
    if layer is not None and layer.version > 0:
        refresh_features(layer)


def rebuild():
    """Everything anew (`manage.py rebuild_search_index`, and after the demo data)."""
    refresh_regions()
    refresh_cities()
    refresh_services()
    Entry.objects.filter(kind="feature").delete()
    for layer in Layer.objects.all():
        refresh_layer(layer)
    Entry.objects.filter(kind="layer").exclude(layer__in=Layer.objects.all()).delete()


def load(stdout=None):
    """The demo loader's last step (settings.DEMO_LOADERS)."""
    rebuild()
    if stdout is not None:
        stdout.write(f"search: {Entry.objects.count()} entries indexed")


def _service_saved(instance, **_signal):
    service = type(instance).objects.select_related("category", "city").get(pk=instance.pk)
    _replace([sources.service_entry(service)], kind="service", key=str(instance.pk))


def _service_deleted(instance, **_signal):
    Entry.objects.filter(kind="service", key=str(instance.pk)).delete()


def _layer_saved(instance, **_signal):
    # Imports save the layer many times (progress): the features are read once it is ready,
    # by the worker, after the import's transaction has committed.
    if instance.status != instance.Status.READY and instance.version > 0:
        return
    if refresh_layer_entry(instance) and features_unread(instance):
        layer_id = instance.pk
        transaction.on_commit(lambda: index_layer_features.delay(layer_id))


def connect():
    for model, receiver in [(Region, refresh_regions), (City, refresh_cities)]:
        post_save.connect(receiver, sender=model, weak=False)
        post_delete.connect(receiver, sender=model, weak=False)
    post_save.connect(_service_saved, sender=ServiceLocation, weak=False)
    post_delete.connect(_service_deleted, sender=ServiceLocation, weak=False)
    services_imported.connect(refresh_services, weak=False)
    post_save.connect(_layer_saved, sender=Layer, weak=False)
