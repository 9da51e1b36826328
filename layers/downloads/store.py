"""Files of whole layers, made once per layer version by the worker and kept under DOWNLOADS_ROOT:

    DOWNLOADS_ROOT/<layer id>/<cache version>/<slug>-v<version>.<ext>

The cache version (layers.access.layer_cache_version) changes with every import and every save of
the layer (an edit of its features or metadata bumps it), so a changed layer asks for new files
and its old ones are removed when the first new one is stored. A file is written in
DOWNLOADS_ROOT/tmp and renamed into place, so a reader never sees half a file; the temporary
folder goes whatever happens, and sweep() removes those a killed worker left.

Asking for a file that is not made yet queues its build once (tasks.request_build: a key in the
cache, per layer version and format, stops a second request from queueing it again); the web
request itself never makes it.
"""

import logging
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from ..access import layer_cache_version
from ..models import Layer
from ..queries import FeatureQuery
from . import exporters

logger = logging.getLogger(__name__)

# While a build is queued or running, and for a while after one failed, no new one is queued.
QUEUED, FAILED = "queued", "failed"
FAILED_RETRY_SECONDS = 60


@dataclass(frozen=True)
class StoredFile:
    path: Path
    relative: str  # to DOWNLOADS_ROOT, for X-Accel-Redirect
    filename: str
    content_type: str
    size: int
    made: datetime
    etag: str


def root():
    return Path(settings.DOWNLOADS_ROOT)


def _folder(layer_id, version):
    return root() / str(int(layer_id)) / version


def stored_file(layer, fmt):
    """The layer's file in this format for its current version, or None if not made yet."""
    version = layer_cache_version(layer)
    filename = exporters.file_name(FeatureQuery(layer), fmt)
    path = _folder(layer.pk, version) / filename
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return StoredFile(
        path=path,
        relative=path.relative_to(root()).as_posix(),
        filename=filename,
        content_type=exporters.FORMATS[fmt][2],
        size=stat.st_size,
        made=datetime.fromtimestamp(stat.st_mtime, tz=UTC),
        etag=f'"{layer.pk}-{version}-{fmt}"',
    )


def build_key(layer_id, version, fmt):
    return f"download-build:{int(layer_id)}:{version}:{fmt}"


def build_state(layer, fmt):
    """QUEUED, FAILED or None (nothing asked for yet) for a file not yet stored."""
    return cache.get(build_key(layer.pk, layer_cache_version(layer), fmt))


def build(layer_id, fmt):
    """Make and store the file of the layer's current version (the worker's task). Returns the
    StoredFile, or None when the layer is gone or changed while it was written (the next
    request asks again)."""
    layer = Layer.objects.filter(pk=layer_id).first()
    if layer is None:
        return None
    version = layer_cache_version(layer)
    key = build_key(layer.pk, version, fmt)
    stored = stored_file(layer, fmt)
    if stored is not None:
        cache.delete(key)
        return stored
    (root() / "tmp").mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="build-", dir=root() / "tmp"))
    started = time.monotonic()
    try:
        written = exporters.write(FeatureQuery(layer), fmt, folder)
        layer.refresh_from_db()
        if layer_cache_version(layer) != version:
            cache.delete(key)
            return None
        target = _folder(layer.pk, version)
        target.mkdir(parents=True, exist_ok=True)
        written.rename(target / written.name)
    except Exception:
        logger.exception("download %s of layer %s could not be made", fmt, layer_id)
        cache.set(key, FAILED, FAILED_RETRY_SECONDS)
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    _remove_other_versions(layer.pk, version)
    cache.delete(key)
    logger.info(
        "download %s of layer %s made in %.1f s", fmt, layer.slug, time.monotonic() - started
    )
    return stored_file(layer, fmt)


def _remove_other_versions(layer_id, version):
    for folder in (root() / str(int(layer_id))).iterdir():
        if folder.name != version:
            shutil.rmtree(folder, ignore_errors=True)


def forget_layer(sender, instance, **kwargs):
    """post_delete of a Layer: its files go with it."""
    shutil.rmtree(root() / str(int(instance.pk)), ignore_errors=True)


def sweep():
    """Remove temporary folders that no build can still be writing (a killed worker's). Returns
    how many went."""
    removed = 0
    # Twice the longest an export may run: older folders belong to no running build.
    cutoff = time.time() - 2 * settings.DOWNLOAD_BUILD_TIMEOUT
    for folder in (root() / "tmp").glob("*"):
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def temporary_folder():
    """A folder for an export made in a request, under DOWNLOADS_ROOT/tmp so that sweep() finds
    it if the process dies; the caller removes it."""
    (root() / "tmp").mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="selection-", dir=root() / "tmp"))
