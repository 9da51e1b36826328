"""Starting a layer import: from an upload (admin, API), which is saved once under IMPORT_ROOT,
checked without being unpacked and queued; the worker unpacks and inspects it once and keeps the
inspection on the LayerVersion. Or from a file on disk (the import_layer command, the demo
loader), inspected and imported in this process; or from a version's kept original (a retry or a
restore), queued again like an upload. Every version keeps its original (originals.py).
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from geoportal.gis.files import (
    FORMATS,
    FileRefused,
    check_file,
    check_json_syntax,
    discard_upload,
    store_upload,
)
from geoportal.gis.inspect import ImportOptions, csv_columns, inspect
from geoportal.gis.sandbox import sniff
from geoportal.transliteration import slug as latin_slug

from ..models import Layer, LayerVersion
from .originals import keep_original, original_path
from .pipeline import run_import
from .recovery import record_failure
from .tasks import import_layer_task


def new_layer_slug(title_be="", title_ru="", title_en=""):
    """A free web address for a new layer from its title in Latin letters, by the official
    romanisation of its language ("Гарады Беларусі" -> harady-bielarusi), else "layer". Unique
    (a number is added) and stable: made once, it does not follow later changes of the title."""
    titles = [(title_be, "be"), (title_ru, "ru"), (title_en, "en")]
    slugs = (latin_slug(title, language, max_length=90) for title, language in titles)
    base = next((found for found in slugs if found), "layer")
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
    not being its format, a GeoJSON that is no JSON (with where it breaks off), a CSV without
    coordinate columns (naming the option that would let it in). Unpacking and GDAL's
    inspection happen once, in the worker. A refused file is removed."""
    return check_stored(store_upload(upload), options)


def check_stored(path, options=None, keep=False):
    """The checks of receive_upload on a file store_upload saved: its Received, or FileRefused.
    A refused file is removed unless `keep` (a form keeps it while the planner corrects it)."""
    try:
        fmt = check_file(path)
        if path.suffix.lower() != ".zip":
            sniff(path, fmt)
        if fmt == "GeoJSON":
            check_json_syntax(path)
        if fmt == "CSV":
            csv_columns(path, options)
    except BaseException:
        if not keep:
            discard_upload(path)
        raise
    return Received(path, options or ImportOptions())


def create_version(layer, filename, user=None, source=None, options=None, restored_from=None):
    number = (layer.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    planner = user if user is not None and user.is_authenticated else None
    return LayerVersion.objects.create(
        layer=layer,
        number=number,
        created_by=planner,
        source_filename=Path(filename).name,
        source_format=FORMATS.get(Path(filename).suffix.lower(), ""),
        source=source.as_dict() if source else {},
        options=(options or ImportOptions()).as_dict(),
        restored_from=restored_from,
        # The planner hears of the outcome (notices.py), in the language they uploaded in.
        language=get_language() or "",
        notice_pending=planner is not None,
    )


def queue_import(layer, received, filename, user=None, restored_from=None):
    """Queue the import of a received upload once the current transaction commits. Returns the
    LayerVersion; the worker inspects the file, keeps the inspection on it, and stages it."""
    version = create_version(layer, filename, user, received, received.options, restored_from)
    keep_original(version, received.path)
    Layer.objects.filter(pk=layer.pk).update(status=Layer.Status.QUEUED, progress=0)
    transaction.on_commit(lambda: import_layer_task.delay(version.pk))
    return version


def requeue(version, user, options=None):
    """Import a version's kept original again, as a new version: a retry of a failed or stuck
    import (with the options the planner now states, if any), or the restore of an older version
    (the same pipeline, so just as atomic). Raises FileRefused when the original was not kept."""
    path = original_path(version)
    if path is None:
        raise FileRefused(
            _("The file of version %(number)s was not kept: upload it again.")
            % {"number": version.number}
        )
    options = options or ImportOptions.from_dict(version.options)
    with open(path, "rb") as handle:
        received = receive_upload(File(handle, name=path.name), options)
    try:
        return queue_import(
            version.layer, received, version.source_filename, user, restored_from=version
        )
    except BaseException:
        discard_upload(received.path)
        raise


def import_now(layer, path, options=None, user=None):
    """Import a file on disk in this process; raises FileRefused on failure, which is recorded
    on the layer's versions like a failure in the worker."""
    version = create_version(layer, path, user, options=options)
    if Path(path).is_file():
        keep_original(version, path)
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
