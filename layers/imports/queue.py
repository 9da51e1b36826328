"""Starting a layer import: from an upload (admin, API), which is saved once under IMPORT_ROOT,
inspected once and queued for the worker with what the inspection found; or from a file on disk
(the import_layer command, the demo loader), imported in this process.
"""

import tempfile
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from geoportal.gis.files import FORMATS, FileRefused, discard_upload, store_upload
from geoportal.gis.inspect import ImportOptions, inspect

from ..models import Layer, LayerVersion
from .pipeline import run_import
from .recovery import record_failure
from .tasks import import_layer_task


def new_layer_slug(title):
    """A free slug for a new layer: from the title's Latin letters, else "layer"."""
    base = slugify(title)[:90] or "layer"
    slug, number = base, 1
    while Layer.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def receive_upload(upload, options=None):
    """Save an uploaded file where the workers read it and inspect it there, once: the Source
    that queue_import takes. A file that cannot be imported is removed and refused."""
    path = store_upload(upload)
    try:
        return inspect(path, path.parent, options or ImportOptions())
    except BaseException:
        discard_upload(path)
        raise


def create_version(layer, filename, user=None, source=None):
    number = (layer.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return LayerVersion.objects.create(
        layer=layer,
        number=number,
        created_by=user if user is not None and user.is_authenticated else None,
        source_filename=Path(filename).name,
        source_format=FORMATS.get(Path(filename).suffix.lower(), ""),
        source=source.as_dict() if source else {},
    )


def queue_import(layer, source, filename, user=None):
    """Queue the import of a received upload once the current transaction commits. Returns the
    LayerVersion; the worker stages source as it is, without looking at the file again."""
    version = create_version(layer, filename, user, source)
    Layer.objects.filter(pk=layer.pk).update(status=Layer.Status.QUEUED, progress=0)
    transaction.on_commit(lambda: import_layer_task.delay(version.pk))
    return version


def import_now(layer, path, options=None, user=None):
    """Import a file on disk in this process; raises FileRefused on failure, which is recorded
    on the layer's versions like a failure in the worker."""
    version = create_version(layer, path, user)
    with tempfile.TemporaryDirectory(prefix="geoportal-import-") as folder:
        try:
            source = inspect(path, folder, options or ImportOptions())
        except FileRefused as exc:
            record_failure(layer.pk, version.pk, str(exc))
            raise
        LayerVersion.objects.filter(pk=version.pk).update(source=source.as_dict())
        run_import(version.pk)
    version.refresh_from_db()
    if version.status != Layer.Status.READY:
        raise FileRefused(version.error_message)
    return version
