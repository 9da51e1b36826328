"""The worker's part of a layer import: ogr2ogr loads the inspected file straight into the
layer's next partition (each row written once, geoportal/gis/loading.py), PostGIS settles the rows
that need it (repairing invalid geometries, removing empty ones, normalising single/multi types)
and indexes it, then one short transaction swaps it in and updates the layer. A failure anywhere
leaves the layer serving its previous version; the outcome is written on the LayerVersion and the
Layer.
"""

import logging
import time
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from geoportal.gis.files import FileRefused
from geoportal.gis.inspect import ImportOptions, Source, describe, inspect
from geoportal.gis.loading import load
from geoportal.gis.staging import coordinate_problems

from ..models import Layer, LayerVersion
from ..partitions import index_partition, partition_sql, swap_partition
from ..styles import restyle
from . import recovery
from .notices import send_import_email
from .originals import keep_preview

logger = logging.getLogger(__name__)

# What an import writes on the layer; its description, visibility and city are the editors'.
IMPORT_FIELDS = [
    "source_filename", "source_format", "source_crs", "geometry_type", "style", "attributes",
    "feature_count", "extent", "status", "progress", "import_report", "error_message", "version",
    "updated",
]  # fmt: skip
# lock_not_available (lock_timeout) and deadlock_detected: the swap tries again.
LOCK_CONFLICTS = {"55P03", "40P01"}

CURVE_TYPES = ["CIRCULARSTRING", "COMPOUNDCURVE", "CURVEPOLYGON", "MULTICURVE", "MULTISURFACE"]
BOX = "ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)"
MISSING = gettext_noop("missing or empty geometry")
LINEAR = (
    f"CASE WHEN GeometryType(geom) IN ({', '.join(map(repr, CURVE_TYPES))}) "
    "THEN ST_CurveToLine(geom) ELSE geom END"
)
LAYER_TYPES = {
    "POINT": "Point",
    "MULTIPOINT": "MultiPoint",
    "LINESTRING": "MultiLineString",
    "MULTILINESTRING": "MultiLineString",
    "CIRCULARSTRING": "MultiLineString",
    "COMPOUNDCURVE": "MultiLineString",
    "MULTICURVE": "MultiLineString",
    "POLYGON": "MultiPolygon",
    "MULTIPOLYGON": "MultiPolygon",
    "CURVEPOLYGON": "MultiPolygon",
    "MULTISURFACE": "MultiPolygon",
    "GEOMETRYCOLLECTION": "GeometryCollection",
}


def _layer_geometry_type(types):
    multi_points = "MULTIPOINT" in types
    found = {LAYER_TYPES.get(t, "Geometry") for t in types}
    if multi_points:
        found = {"MultiPoint" if t == "Point" else t for t in found}
    return (found.pop() if len(found) == 1 else "Geometry"), multi_points


def _settled(promote):
    """SQL of one settled shape: curves to lines, repaired when invalid (PostGIS's structure
    method), the types in `promote` made Multi*: one geometry type per family, whatever the file
    mixed. Each step reads the one before it once (subqueries, not repeated expressions)."""
    fixed = (
        "SELECT CASE WHEN ST_IsValid(g) THEN g ELSE ST_MakeValid(g, 'method=structure') END "
        f"FROM (SELECT {LINEAR} AS g) AS linear"
    )
    return (
        f"(SELECT CASE WHEN GeometryType(f) IN ({', '.join(map(repr, sorted(promote)))}) "
        f"THEN ST_Multi(f) ELSE f END FROM (SELECT ({fixed}) AS f) AS repaired)"
    )


def settle_rows(table):
    """Settle the rows loaded into `table` (the layer's next partition): one counting pass, then
    only the rows that need it changed (curves, invalid shapes, single parts to make Multi*) and
    those without a usable shape removed; then the table is indexed. Returns the report."""
    present = "geom IS NOT NULL AND NOT ST_IsEmpty(geom)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT n, missing, invalid, types, {BOX} FROM (SELECT count(*) AS n, "
            f"count(*) FILTER (WHERE NOT ({present})) AS missing, "
            f"count(*) FILTER (WHERE {present} AND NOT ST_IsValid({LINEAR})) AS invalid, "
            f"array_agg(DISTINCT GeometryType(geom)) FILTER (WHERE {present}) AS types, "
            f"ST_Extent(geom) FILTER (WHERE {present}) AS e FROM {table}) AS scan"
        )
        read, missing, invalid, types, *extent = cursor.fetchone()
        types = sorted(types or [])
        geometry_type, multi_points = _layer_geometry_type(types)
        sample = []
        if missing:
            cursor.execute(
                f"SELECT source_fid FROM {table} WHERE NOT ({present}) ORDER BY source_fid LIMIT 10"
            )
            sample = [row[0] for row in cursor.fetchall()]
        promote = {"POLYGON", "LINESTRING"} | ({"POINT"} if multi_points else set())
        reshaped = promote | set(CURVE_TYPES)
        changing = [f"GeometryType(geom) IN ({', '.join(map(repr, sorted(reshaped)))})"]
        if invalid:
            changing.append(f"NOT ST_IsValid({LINEAR})")
        if invalid or set(types) & reshaped:
            cursor.execute(
                f"UPDATE {table} SET geom = {_settled(promote)} "
                f"WHERE {present} AND ({' OR '.join(changing)})"
            )
        removed = 0
        if missing or invalid:
            cursor.execute(f"DELETE FROM {table} WHERE NOT ({present})")
            removed = cursor.rowcount
        if invalid or set(types) & set(CURVE_TYPES):
            # A repair or a curve made lines may have changed a shape's box: measure again
            # (making a shape Multi* does not).
            cursor.execute(f"SELECT {BOX} FROM (SELECT ST_Extent(geom) AS e FROM {table}) AS x")
            extent = cursor.fetchone()
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN geom SET NOT NULL")
        index_partition(cursor, table)
        # Statistics now, not when autovacuum gets to it: without them the first queries of the
        # new version (its preview map, tiles, pages) are planned blind, e.g. sort every row for
        # a first page (1.7 s at 1M points, against 0.2 s for this).
        cursor.execute(f"ANALYZE {table}")
    imported = read - removed
    unrepairable = removed - missing
    skipped = {}
    # GDAL reads most formats' empty geometries as none at all: one reason for both.
    if missing:
        skipped[MISSING] = missing
    if unrepairable:
        skipped[gettext_noop("invalid geometry that could not be repaired")] = unrepairable
    return {
        "read": read,
        "imported": imported,
        "repaired": invalid - unrepairable,
        "skipped": sum(skipped.values()),
        "skipped_reasons": skipped,
        "skipped_feature_ids": sample,
        "geometry_type": geometry_type,
        "extent": list(extent) if extent[0] is not None else None,
    }


def run_import(version_id):
    """Import what the version's inspection found (LayerVersion.source). Never raises for bad
    input or a lost database: the outcome is on the LayerVersion and the Layer, and its planner
    is told (notices.py; the original file is kept, see originals.py). The staging table
    and the stored upload are removed after (a worker killed before that leaves them to
    recovery.sweep, which may also try the import again). A version already imported, or being
    imported by a live worker (a task delivered twice), is left alone."""
    version = recovery.claim(version_id)
    if version is None:
        logger.info("import of version %s: already done or running elsewhere", version_id)
        return
    layer = version.layer
    started = time.monotonic()

    def report_progress(percent):
        Layer.objects.filter(pk=layer.pk).update(progress=percent)

    Layer.objects.filter(pk=layer.pk).update(status=Layer.Status.IMPORTING, progress=1)
    with recovery.Heartbeat(version.pk):
        try:
            recovery.detect_lost_client()
            source = inspected_source(version)
            # The layer's next partition is filled and indexed while the old one still serves;
            # ogr2ogr's loading is most of the work: 2-80 %.
            table = version.staging_table
            # ogr2ogr makes the table itself (a feature without a shape is loaded, then counted
            # and removed), in its own connection, where it can see it.
            with connection.cursor() as cursor:
                make_table = (
                    f"{partition_sql(cursor, layer.pk, table)}; "
                    f"ALTER TABLE {table} ALTER COLUMN geom DROP NOT NULL"
                )
            warnings = load(
                source, table, layer.pk, make_table, lambda p: report_progress(2 + p * 78 // 100)
            )
            report_progress(85)
            report = settle_rows(table)
            report["warnings"] = warnings + _coordinate_problems(source, report)
            if not report["imported"]:
                raise FileRefused(_no_features_message(report))
            report["seconds"] = round(time.monotonic() - started, 1)
            swap_in(layer.pk, version, table, source, report)
            keep_preview(version, layer)
        except FileRefused as exc:
            recovery.record_failure(layer.pk, version.pk, str(exc))
        except (OperationalError, InterfaceError):
            logger.exception("import of layer %s lost its database connection", layer.pk)
            recovery.reconnect()
            recovery.record_failure(layer.pk, version.pk, recovery.lost_database_message())
        except Exception as exc:
            logger.exception("import of layer %s failed", layer.pk)
            recovery.record_failure(
                layer.pk,
                version.pk,
                _("Unexpected error during the import: %(error)s") % {"error": exc},
            )
        finally:
            recovery.clean_up(version)
    send_import_email(version.pk)


def swap_in(layer_id, version, partition, source, report):
    """Put the filled partition in the place of the layer's features and record the import,
    within the caller's transaction. The locks are taken in one order (the layer table, then the
    feature table), each waiting at most IMPORT_LOCK_TIMEOUT_MS: an edit of the layer or a long
    read that holds one makes this attempt give up (to a savepoint; the filled partition stays)
    and try again a moment later, until IMPORT_SWAP_PATIENCE runs out, instead of deadlocking
    or keeping every reader of the features queued behind it."""
    deadline = time.monotonic() + settings.IMPORT_SWAP_PATIENCE
    pause = 0.2
    while True:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('lock_timeout', %s, true)",
                    [f"{settings.IMPORT_LOCK_TIMEOUT_MS}ms"],
                )
                cursor.execute("LOCK TABLE layers_layer IN SHARE ROW EXCLUSIVE MODE")
                cursor.execute("LOCK TABLE layers_feature IN ACCESS EXCLUSIVE MODE")
                swap_partition(cursor, layer_id, partition)
                cursor.execute("SELECT set_config('lock_timeout', '0', true)")
                # Read after the locks: an edit committed meanwhile is kept, not overwritten.
                _finish(Layer.objects.get(pk=layer_id), version, source, report)
            return
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) not in LOCK_CONFLICTS:
                raise
            if time.monotonic() > deadline:
                raise FileRefused(
                    _("The layer was in use (being read or edited) for too long to replace its "
                      "data. Its previous version is kept; please upload the file again.")
                ) from exc  # fmt: skip
            logger.info("swap of layer %s waits for a lock: %s", layer_id, exc)
            time.sleep(pause)
            pause = min(pause * 2, 5)


def inspected_source(version):
    """The version's Source. A queued upload is inspected here, in the worker (unpacked into its
    own folder under IMPORT_ROOT), once: the inspection is kept on the version."""
    data = version.source
    if "upload" not in data:
        source = Source.from_dict(data)
        # Inspected before loading needed the layer's fields (an import queued then).
        return source if source.table else describe(source)
    path = Path(data["upload"])
    source = inspect(path, path.parent, ImportOptions.from_dict(data.get("options")))
    LayerVersion.objects.filter(pk=version.pk).update(source=source.as_dict())
    return source


def _no_features_message(report):
    if not report["read"]:
        return _("The file has no features.")
    reasons = ", ".join(
        f"{count} {_(reason)}" for reason, count in report["skipped_reasons"].items()
    )
    return _("No feature has a usable geometry (%(reasons)s).") % {"reasons": reasons}


def _coordinate_problems(source, report):
    """Which CSV rows have no number in their coordinate columns (when some lack a shape)."""
    return coordinate_problems(source) if MISSING in report["skipped_reasons"] else []


def _finish(layer, version, source, report):
    """Record the import on the layer (only the fields an import sets) and on its version."""
    extent = report.pop("extent")
    layer.source_filename = version.source_filename
    layer.source_format = source.format
    layer.source_crs = source.source_crs
    layer.geometry_type = report["geometry_type"]
    layer.attributes = source.fields
    # A first import stores the default style for the geometry; a saved one is fitted to the
    # new data (categories and classes recomputed), or reset with a note when it no longer fits.
    layer.style, report["style_notes"] = restyle(layer)
    layer.feature_count = report["imported"]
    layer.extent = _extent_polygon(extent)
    layer.status = Layer.Status.READY
    layer.progress = 100
    layer.import_report = report
    layer.error_message = ""
    layer.version = version.number
    layer.save(update_fields=IMPORT_FIELDS)
    version.status = Layer.Status.READY
    version.report = report
    version.source_format = source.format
    version.save(update_fields=["status", "report", "source_format"])


def _extent_polygon(box):
    xmin, ymin, xmax, ymax = box
    # A single point has a degenerate extent: widen it a hair so that it stays a polygon.
    if xmin == xmax:
        xmin, xmax = xmin - 1e-6, xmax + 1e-6
    if ymin == ymax:
        ymin, ymax = ymin - 1e-6, ymax + 1e-6
    return Polygon.from_bbox((xmin, ymin, xmax, ymax))
