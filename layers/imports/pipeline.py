"""The worker's part of a layer import: stage the inspected file, then, in one transaction, move
the staged rows into a new partition (repairing invalid geometries, skipping empty ones,
normalising single/multi types), swap it in and update the layer. A failure anywhere leaves the
layer serving its previous version; the outcome is written on the LayerVersion and the Layer.
"""

import logging
import time
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from psycopg import sql

from geoportal.gis.files import FileRefused
from geoportal.gis.inspect import ImportOptions, Source, inspect
from geoportal.gis.staging import FID_COLUMN, GEOMETRY_COLUMN, stage

from ..models import Layer, LayerVersion
from ..partitions import index_partition, new_partition, swap_partition
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


def _properties_sql(names):
    """jsonb of the attribute columns, by name (not to_jsonb(row), which would also turn every
    geometry into GeoJSON only to throw it away). jsonb_build_object takes 100 arguments at most."""
    if not names:
        return "jsonb_build_object()"
    raw = connection.connection

    def pair(name):
        return f"{sql.Literal(name).as_string(raw)}, s.{sql.Identifier(name).as_string(raw)}"

    chunks = [names[i : i + 50] for i in range(0, len(names), 50)]
    built = " || ".join(f"jsonb_build_object({', '.join(map(pair, chunk))})" for chunk in chunks)
    # The names go into SQL that is then run with parameters.
    return built.replace("%", "%%")


def move_rows(layer, staged):
    """Copy the staged rows into a new partition of the layer (not yet in place: the old one
    still serves, and no lock is held on the layer, so its editors are not kept waiting); runs
    inside the caller's transaction and returns (partition, report). One counting pass, then one
    INSERT ... SELECT that repairs only when the count found invalid geometries and normalises
    types only when the file mixes them."""
    geometry_type, multi_points = _layer_geometry_type(staged.geometry_types)
    geom = f"s.{GEOMETRY_COLUMN}"
    if set(staged.geometry_types) & set(CURVE_TYPES):
        geom = f"CASE WHEN GeometryType({geom}) IN ({', '.join(map(repr, CURVE_TYPES))}) THEN ST_CurveToLine({geom}) ELSE {geom} END"  # noqa: E501
    present = f"{GEOMETRY_COLUMN} IS NOT NULL AND NOT ST_IsEmpty({GEOMETRY_COLUMN})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE NOT ({present})), "
            f"count(*) FILTER (WHERE {present} AND NOT ST_IsValid({geom})) "
            f"FROM {staged.table} AS s"
        )
        read, missing, invalid = cursor.fetchone()
        fixed = "CASE WHEN ST_IsValid(g) THEN g ELSE ST_MakeValid(g, 'method=structure') END"
        # Lines and polygons always become Multi*, points only when mixed with MultiPoints: one
        # geometry type per family, whatever the source mixed.
        promote = ["'POLYGON'", "'LINESTRING'"] + (["'POINT'"] if multi_points else [])
        final = f"CASE WHEN GeometryType(g) IN ({', '.join(promote)}) THEN ST_Multi(g) ELSE g END"
        # The layer's new partition is filled and indexed while the old one still serves.
        partition = new_partition(cursor, layer.pk)
        cursor.execute(
            f"INSERT INTO {partition} (layer_id, geom, properties, source_fid) "
            f"SELECT %s, {final}, props, fid FROM ("
            f"  SELECT {fixed if invalid else 'g'} AS g, props, fid FROM ("
            f"    SELECT {geom} AS g, {_properties_sql([c['name'] for c in staged.columns])} "
            f"    AS props, s.{FID_COLUMN} AS fid FROM {staged.table} AS s WHERE {present}"
            f"  ) AS read) AS repaired "
            "WHERE g IS NOT NULL AND NOT ST_IsEmpty(g)",
            [layer.pk],
        )
        imported = cursor.rowcount
        index_partition(cursor, partition)
        sample = []
        if missing:
            cursor.execute(
                f"SELECT {FID_COLUMN} FROM {staged.table} WHERE NOT ({present}) "
                f"ORDER BY {FID_COLUMN} LIMIT 10"
            )
            sample = [row[0] for row in cursor.fetchall()]
    unrepairable = read - missing - imported
    skipped = {}
    # GDAL reads most formats' empty geometries as none at all: one reason for both.
    if missing:
        skipped[gettext_noop("missing or empty geometry")] = missing
    if unrepairable:
        skipped[gettext_noop("invalid geometry that could not be repaired")] = unrepairable
    return partition, {
        "read": read,
        "imported": imported,
        "repaired": invalid - unrepairable,
        "skipped": sum(skipped.values()),
        "skipped_reasons": skipped,
        "skipped_feature_ids": sample,
        "geometry_type": geometry_type,
        "warnings": staged.errors,
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
            # ogr2ogr's reading is most of the work: 2-80 %.
            staged = stage(
                source, lambda p: report_progress(2 + p * 78 // 100), version.staging_table
            )
            report_progress(85)
            with transaction.atomic():
                partition, report = move_rows(layer, staged)
                if not report["imported"]:
                    raise FileRefused(_no_features_message(report))
                report["seconds"] = round(time.monotonic() - started, 1)
                swap_in(layer.pk, version, partition, staged, report)
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


def swap_in(layer_id, version, partition, staged, report):
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
                _finish(Layer.objects.get(pk=layer_id), version, staged, report)
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
        return Source.from_dict(data)
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


def _finish(layer, version, staged, report):
    """Record the import on the layer (only the fields an import sets) and on its version."""
    layer.source_filename = version.source_filename
    layer.source_format = staged.source_format
    layer.source_crs = staged.source_crs
    layer.geometry_type = report["geometry_type"]
    layer.attributes = staged.columns
    # A first import stores the default style for the geometry; a saved one is fitted to the
    # new data (categories and classes recomputed), or reset with a note when it no longer fits.
    layer.style, report["style_notes"] = restyle(layer)
    layer.feature_count = report["imported"]
    layer.extent = _extent_polygon(layer.pk)
    layer.status = Layer.Status.READY
    layer.progress = 100
    layer.import_report = report
    layer.error_message = ""
    layer.version = version.number
    layer.save(update_fields=IMPORT_FIELDS)
    version.status = Layer.Status.READY
    version.report = report
    version.source_format = staged.source_format
    version.save(update_fields=["status", "report", "source_format"])


def _extent_polygon(layer_id):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
            "(SELECT ST_Extent(geom) AS e FROM layers_feature WHERE layer_id = %s) AS x",
            [layer_id],
        )
        box = cursor.fetchone()
    if box[0] is None:
        return None
    xmin, ymin, xmax, ymax = box
    # A single point has a degenerate extent: widen it a hair so that it stays a polygon.
    if xmin == xmax:
        xmin, xmax = xmin - 1e-6, xmax + 1e-6
    if ymin == ymax:
        ymin, ymax = ymin - 1e-6, ymax + 1e-6
    return Polygon.from_bbox((xmin, ymin, xmax, ymax))
