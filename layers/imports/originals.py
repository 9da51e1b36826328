"""Every imported file kept as it came, one folder per version under
settings.LAYER_ORIGINALS_ROOT (never served by the web server: the admin hands it out to those
who may edit the layer): a version's original can be downloaded, and imported again for a retry
or a restore (queue.requeue). Beside it, the GeoJSON of what the version imported, at most
PREVIEW_FEATURES features, for the version's map."""

import logging
import os
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.utils.text import get_valid_filename

from ..models import LayerVersion
from ..queries import FeatureQuery, feature_collection

# A version's map draws at most this many features: enough to judge the data at a glance.
PREVIEW_FEATURES = 2000
PREVIEW_NAME = "preview.geojson"
logger = logging.getLogger(__name__)


def _root():
    return Path(settings.LAYER_ORIGINALS_ROOT).resolve()


def keep_original(version, path):
    """Keep a copy of the file at `path` as the version's original (a hard link when the upload
    sits on the same disk, so that a large file is not written twice)."""
    folder = _root() / uuid.uuid4().hex
    folder.mkdir(parents=True)
    target = folder / get_valid_filename(Path(path).name or "upload")
    try:
        os.link(path, target)
    except OSError:
        shutil.copyfile(path, target)
    version.original = str(target.relative_to(_root()))
    LayerVersion.objects.filter(pk=version.pk).update(original=version.original)
    return target


def original_path(version):
    """The version's kept file, or None when none was kept (or it has gone)."""
    if not version.original:
        return None
    path = (_root() / version.original).resolve()
    if _root() not in path.parents or not path.is_file():
        return None
    return path


def preview_path(version):
    """The GeoJSON of what the version imported, or None."""
    original = original_path(version)
    preview = original.parent / PREVIEW_NAME if original else None
    return preview if preview is not None and preview.is_file() else None


def keep_preview(version, layer):
    """Write what the layer holds now (just imported as `version`) beside its original. A disk
    that refuses only costs the version its map, never the import."""
    original = original_path(version)
    if original is None:
        return
    features = FeatureQuery(layer).geojson_features(limit=PREVIEW_FEATURES)
    partial = original.parent / (PREVIEW_NAME + ".part")
    try:
        with open(partial, "w", encoding="utf-8") as handle:
            handle.writelines(feature_collection(features))
        partial.replace(original.parent / PREVIEW_NAME)
    except OSError:
        logger.exception("the map of version %s could not be kept", version.pk)


def forget_original(sender, instance, **kwargs):
    """post_delete of a LayerVersion (a deleted layer's too): its folder goes with it."""
    path = original_path(instance)
    if path is not None:
        shutil.rmtree(path.parent, ignore_errors=True)
