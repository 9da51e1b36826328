"""Keeping the search index fresh: each source is rewritten whole when it changes (the few
regions, cities and layers), a service on its own save, a layer's features when the layer has
a new version. Bulk service imports send cities.services.imports.services_imported."""

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


def refresh_layer(layer):
    """The layer's own entry, and its features' when the layer has a version not yet read.
    A layer not published (or without an extent) leaves the index."""
    if layer.version == 0 or layer.extent is None:
        Entry.objects.filter(layer=layer).delete()
        return
    _replace([sources.layer_entry(layer)], kind="layer", key=layer.slug)
    read = Entry.objects.filter(kind="feature", layer=layer, version=layer.version).exists()
    if not read:
        _replace(sources.features(layer), kind="feature", layer=layer)


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
    # Imports save the layer many times (progress): the features are read once it is ready.
    if instance.status == instance.Status.READY or instance.version == 0:
        refresh_layer(instance)


def connect():
    for model, receiver in [(Region, refresh_regions), (City, refresh_cities)]:
        post_save.connect(receiver, sender=model, weak=False)
        post_delete.connect(receiver, sender=model, weak=False)
    post_save.connect(_service_saved, sender=ServiceLocation, weak=False)
    post_delete.connect(_service_deleted, sender=ServiceLocation, weak=False)
    services_imported.connect(refresh_services, weak=False)
    post_save.connect(_layer_saved, sender=Layer, weak=False)
