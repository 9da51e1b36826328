"""Starting a layer import: from an upload (admin, API), which is saved once under IMPORT_ROOT,
checked without being unpacked and queued; the worker unpacks and inspects it once and keeps the
inspection on the LayerVersion. Or from a file on disk (the import_layer command, the demo
loader), inspected and imported in this process.
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from geoportal.gis.files import FORMATS, FileRefused, check_file, discard_upload, store_upload
from geoportal.gis.inspect import ImportOptions, inspect
from geoportal.gis.sandbox import sniff

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


@dataclass
class Received:
    """An upload stored under IMPORT_ROOT and checked, waiting for the worker to inspect it."""

    path: Path
    options: ImportOptions

    def as_dict(self):
        """What LayerVersion.source holds until the worker has inspected the file."""
        return {"upload": str(self.path), "options": self.options.as_dict()}


def receive_upload(upload, options=None):
    """Save an uploaded file where the workers read it, and refuse in the request what is seen
    without unpacking or GDAL: the format, the size, a zip's list of members, a file's content
    not being its format. Unpacking and GDAL's inspection happen once, in the worker. A refused
    file is removed."""
    path = store_upload(upload)
    try:
        fmt = check_file(path)
        if path.suffix.lower() != ".zip":
            sniff(path, fmt)
    except BaseException:
        discard_upload(path)
        raise
    return Received(path, options or ImportOptions())


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


def queue_import(layer, received, filename, user=None):
    """Queue the import of a received upload once the current transaction commits. Returns the
    LayerVersion; the worker inspects the file, keeps the inspection on it, and stages it."""
    version = create_version(layer, filename, user, received)
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
