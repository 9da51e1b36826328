"""Staging: Debian's ogr2ogr streams an inspected file (a Source) into a new table of the
import_staging schema (COPY, reprojected to EPSG:4326, Z/M dropped, curves kept for the caller
to linearise), so memory stays flat whatever the file's size. The caller moves the rows on and
drops the table; staged_file does both around a block. The schema itself is made by the layers
app's migration 0002.
"""

import io
import re
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import gettext as _

from .delimited import bad_coordinates
from .files import FileRefused
from .inspect import ImportOptions, Source, inspect
from .sandbox import DRIVERS, gdal_environment

STAGING_SCHEMA = "import_staging"
FID_COLUMN = "ogc_fid"
GEOMETRY_COLUMN = "geom"
# ogr2ogr says so for formats that do not know their feature count: not the planner's concern.
IGNORED_WARNING = "Progress turned off"


@dataclass
class StagedTable:
    """A file staged in PostGIS: rows in `table` (schema-qualified, safe to put into SQL as is),
    geometry in EPSG:4326 in `geometry_column` (None when the file has none), the source's
    feature order in FID_COLUMN, and every other column an attribute of the source."""

    table: str
    columns: list[dict]
    geometry_column: str | None
    fid_column: str
    source_format: str
    source_crs: str
    layer_name: str
    encoding: str
    row_count: int
    geometry_count: int
    geometry_types: list[str]
    extent: tuple | None
    errors: list[str] = field(default_factory=list)


def gdal_pg_dsn(table="unlisted"):
    """The database as a GDAL `PG:` connection string (ogr2ogr of imports and downloads), its
    active schema import_staging, listing only `table` of that schema."""
    db = connection.settings_dict
    parts = {
        "dbname": db["NAME"],
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
        "user": db.get("USER") or "",
    }
    # Naming a table (that need not exist) stops the driver from listing every geometry column
    # of the database, a query that would wait behind an import swapping its partition in.
    parts["active_schema"] = STAGING_SCHEMA
    parts["tables"] = f"{STAGING_SCHEMA}.{table}"
    return "PG:" + " ".join(f"{key}='{value}'" for key, value in parts.items() if value)


def _ogr2ogr_command(source, table):
    command = ["ogr2ogr", "-f", "PostgreSQL", gdal_pg_dsn(), str(source.path)]
    if source.layer_name:
        command.append(source.layer_name)
    command += [
        "-nln", table,
        "-lco", f"SCHEMA={STAGING_SCHEMA}",
        "-lco", f"GEOMETRY_NAME={GEOMETRY_COLUMN}",
        "-lco", f"FID={FID_COLUMN}",
        "-lco", "SPATIAL_INDEX=NONE",
        # A staging table is a scratch copy: no write-ahead log for it.
        "-lco", "UNLOGGED=ON",
        "-lco", "LAUNDER=NO",
        "-lco", "PRECISION=NO",
        "-t_srs", "EPSG:4326",
        "-nlt", "GEOMETRY",
        "-dim", "XY",
        "-gt", "65536",
        "--config", "PG_USE_COPY", "YES",
        "-progress",
    ]  # fmt: skip
    if source.s_srs:
        command += ["-s_srs", source.s_srs]
    if source.preserve_fid:
        command.append("-preserve_fid")
    for option in source.open_options:
        command += ["-oo", option]
    return command


def run_ogr2ogr(command, source, watch=None):
    """Run ogr2ogr on a planner's file in the sandbox's environment: (return code, stderr lines).
    watch, if given, is called with the file ogr2ogr's output goes to about every half second
    while it runs (to follow its progress)."""
    password = connection.settings_dict.get("PASSWORD") or ""
    env = gdal_environment(
        *DRIVERS[source.format], "PostgreSQL",
        base={"PGPASSWORD": password, "CPL_LOG_ERRORS": "ON"},
    )  # fmt: skip
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env)
        while True:
            try:
                process.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if watch:
                    watch(stdout)
        stderr.seek(0)
        messages = stderr.read().decode("utf-8", errors="replace").splitlines()
    return process.returncode, [m.strip() for m in messages if m.strip()]


def _progress_printed(progress):
    """A watch for run_ogr2ogr: the last percentage ogr2ogr's -progress printed, to progress."""

    def watch(stdout):
        stdout.seek(max(stdout.seek(0, io.SEEK_END) - 64, 0))
        done = re.findall(rb"(\d+)(?:\.\.\.| - done)", stdout.read())
        if done:
            progress(int(done[-1]))

    return watch if progress else None


def plain_gdal_error(messages, source):
    errors = [m.split(":", 1)[1].strip() for m in messages if m.startswith("ERROR")]
    text = "; ".join(errors[:3]) or "; ".join(messages[:3])
    if "transform" in text.lower() or "srs" in text.lower():
        return _("Cannot reproject from %(crs)s to EPSG:4326: %(detail)s") % {
            "crs": source.source_crs or source.s_srs,
            "detail": text,
        }
    return _("GDAL could not read the file: %(detail)s") % {"detail": text or _("unknown error")}


def new_staging_table():
    """A fresh schema-qualified staging table name, for a caller that records it before staging
    (a layer import, so that whoever cleans up after a killed worker knows what to drop)."""
    return f"{STAGING_SCHEMA}.s_{uuid.uuid4().hex}"


def stage(source: Source, progress: Callable[[int], None] | None = None, qualified=None):
    """Stage an inspected file into a new table of the import_staging schema (`qualified`, from
    new_staging_table, or a fresh one) and say what it holds. The caller drops the table
    (drop_staged). Raises FileRefused with a plain message. progress, if given, is called with
    0-100 while ogr2ogr reads the file."""
    qualified = qualified or new_staging_table()
    table = qualified.removeprefix(f"{STAGING_SCHEMA}.")
    command = _ogr2ogr_command(source, table)
    returncode, messages = run_ogr2ogr(command, source, _progress_printed(progress))
    if returncode != 0:
        drop_staged(qualified)
        raise FileRefused(plain_gdal_error(messages, source))
    try:
        return _describe_staged(qualified, table, source, messages)
    except Exception:
        drop_staged(qualified)
        raise


def stage_file(path, options=None, progress=None, allow_no_geometry=False):
    """inspect, then stage: for a file read within one call (boundaries, services, tests). A zip
    is unpacked into a temporary folder, removed once ogr2ogr has read it."""
    with tempfile.TemporaryDirectory(prefix="geoportal-import-") as folder:
        source = inspect(path, folder, options or ImportOptions(), allow_no_geometry)
        return stage(source, progress)


def _describe_staged(qualified, table, source, messages):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            [STAGING_SCHEMA, table],
        )
        found = cursor.fetchall()
        if not found:
            raise FileRefused(_("GDAL read nothing from the file."))
        names = {name for name, _type in found}
        geometry_column = GEOMETRY_COLUMN if GEOMETRY_COLUMN in names else None
        columns = [
            {"name": name, "type": _attribute_type(data_type)}
            for name, data_type in found
            if name not in {FID_COLUMN, GEOMETRY_COLUMN}
        ]
        if geometry_column:
            cursor.execute(
                "SELECT rows, geometries, ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), types "
                "FROM (SELECT count(*) AS rows, count(geom) AS geometries, ST_Extent(geom) AS e, "
                "array_agg(DISTINCT GeometryType(geom)) FILTER (WHERE geom IS NOT NULL) AS types "
                f"FROM {qualified}) AS found"
            )
            row = cursor.fetchone() or (0, 0, None, None, None, None, None)
            count, geometry_count = row[0], row[1]
            extent = tuple(row[2:6]) if row[2] is not None else None
            types = sorted(row[6] or [])
        else:
            cursor.execute(f"SELECT count(*) FROM {qualified}")
            count, geometry_count, extent, types = cursor.fetchone()[0], 0, None, []
    return StagedTable(
        table=qualified,
        columns=columns,
        geometry_column=geometry_column,
        fid_column=FID_COLUMN,
        source_format=source.format,
        source_crs=source.source_crs,
        layer_name=source.layer_name or source.path.stem,
        encoding=source.encoding,
        row_count=count,
        geometry_count=geometry_count,
        geometry_types=types,
        extent=extent,
        errors=[
            m for m in messages if m.startswith(("ERROR", "Warning")) and IGNORED_WARNING not in m
        ][:20]
        + (coordinate_problems(source) if geometry_count < count else []),
    )


def coordinate_problems(source):
    """Which CSV rows have no number in their coordinate columns, and what they hold instead."""
    options = dict(option.split("=", 1) for option in source.open_options)
    if source.format != "CSV" or not options.get("X_POSSIBLE_NAMES"):
        return []
    found = bad_coordinates(source.path, options["X_POSSIBLE_NAMES"], options["Y_POSSIBLE_NAMES"])
    return [
        _("row %(row)s: %(column)s %(value)s is not a number")
        % {"row": row, "column": column, "value": repr(value)}
        for row, column, value in found
    ]


def _attribute_type(data_type):
    if data_type in {"integer", "bigint", "smallint"}:
        return "integer"
    if data_type in {"double precision", "numeric", "real"}:
        return "number"
    if data_type.startswith("timestamp"):
        return "datetime"
    if data_type in {"character varying", "text", "character"}:
        return "string"
    return {"boolean": "boolean", "date": "date"}.get(data_type, data_type)


def drop_staged(table):
    """Drop a staging table (a name that stage_file returned)."""
    if not table.startswith(f"{STAGING_SCHEMA}.s_"):
        raise ValueError(table)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


@contextmanager
def staged_file(path, options=None, progress=None, allow_no_geometry=False):
    """stage_file as a context manager: the staging table is dropped on the way out."""
    staged = stage_file(path, options, progress, allow_no_geometry)
    try:
        yield staged
    finally:
        drop_staged(staged.table)
