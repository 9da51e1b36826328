"""Loading: Debian's ogr2ogr writes an inspected file (a Source) straight into a table shaped
like the layers' feature table (id from its default, layer_id, geom, properties, source_fid), so
that each row is written once: the attributes become the jsonb `properties` on the way, by GDAL's
SQLite dialect (json_object over the file's fields), not by a second pass in PostGIS. Rows are
COPYed, reprojected to EPSG:4326 with Z/M dropped; curves and invalid or single-part shapes are
left for the caller to settle in PostGIS, where the repairs are done the same way for every
import. Memory stays flat whatever the file's size.
"""

import tempfile
from collections.abc import Callable

from django.db import connection
from django.utils.translation import gettext as _

from .files import FileRefused
from .inspect import Source
from .staging import STAGING_SCHEMA, gdal_pg_dsn, plain_gdal_error, run_ogr2ogr

# SQLite passes at most 127 arguments to a function: json_object gets its pairs in chunks.
PAIRS_PER_CALL = 60
# Declared types whose every shape can be made Multi* while it is read.
MULTI_FAMILIES = {"LineString", "MultiLineString", "Polygon", "MultiPolygon"}


def _identifier(name):
    return '"' + name.replace('"', '""') + '"'


def _literal(text):
    return "'" + text.replace("'", "''") + "'"


def _value(field):
    """The SQLite expression of one attribute as a JSON value: booleans as true/false and JSON
    text (objects, GeoJSON arrays) as JSON, binary as hex, the rest as GDAL reads it."""
    column = _identifier(field["name"])
    if field["type"] == "boolean":
        return f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} THEN json('true') ELSE json('false') END"  # noqa: E501
    if field["type"] == "json":
        return f"json({column})"
    if field["type"] == "binary":
        return f"hex({column})"
    return column


def properties_sql(fields):
    """One JSON object of the fields, by name."""
    chunks = [fields[i : i + PAIRS_PER_CALL] for i in range(0, len(fields), PAIRS_PER_CALL)]
    objects = [
        "json_object(" + ", ".join(f"{_literal(f['name'])}, {_value(f)}" for f in chunk) + ")"
        for chunk in chunks
    ]
    if len(objects) < 2:
        return objects[0] if objects else "json_object()"
    # Each chunk's object without its braces, joined: one object (every chunk has a pair).
    inner = " || ',' || ".join(f"substr({o}, 2, length({o}) - 2)" for o in objects)
    return f"'{{' || {inner} || '}}'"


def select_sql(source: Source, layer_id):
    """What ogr2ogr reads from the file: the target table's columns but its id."""
    return (
        f"SELECT {int(layer_id)} AS layer_id, {properties_sql(source.fields)} AS properties, "
        f"CAST(rowid AS INTEGER) AS source_fid, {_identifier(source.geometry_column)} AS geom "
        f"FROM {_identifier(source.table)}"
    )


def _command(source, table, sql_file, make_table):
    command = [
        "ogr2ogr", "-f", "PostgreSQL", gdal_pg_dsn(table), str(source.path),
        "-doo", f"PRELUDE_STATEMENTS={make_table}",
        "-append", "-nln", table,
        # From a file: a file's many long field names could pass the 128 kB an argument may have.
        "-dialect", "SQLite", "-sql", f"@{sql_file}",
        "-t_srs", "EPSG:4326",
        "-dim", "XY",
        # One transaction, so one COPY (pg_stat_progress_copy counts its rows for the progress).
        "-gt", "unlimited",
        "--config", "PG_USE_COPY", "YES",
        # The table's id is its key: ogr2ogr leaves it to the table's default (the feature
        # sequence) and COPYs the other columns.
        "--config", "PGSQL_OGR_FID", "id",
    ]  # fmt: skip
    if source.geometry_type in MULTI_FAMILIES:
        command += ["-nlt", "PROMOTE_TO_MULTI"]
    if source.s_srs:
        command += ["-s_srs", source.s_srs]
    for option in source.open_options:
        command += ["-oo", option]
    return command


def _copy_progress(table, total, progress):
    """A watch for run_ogr2ogr: the share of the file's features COPYed into `table` so far."""
    if not (progress and total):
        return None

    def watch(_stdout):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tuples_processed FROM pg_stat_progress_copy WHERE relid = to_regclass(%s)",
                [f"{STAGING_SCHEMA}.{table}"],
            )
            row = cursor.fetchone()
        if row:
            progress(min(100, row[0] * 100 // total))

    return watch


def load(
    source: Source, qualified, layer_id, make_table, progress: Callable[[int], None] | None = None
):
    """Write the file's features into `qualified`, a table of the import_staging schema shaped
    like the feature table, which the statements `make_table` make first in ogr2ogr's own
    connection. Returns GDAL's warnings; raises FileRefused with a plain message. progress, if
    given, is called with 0-100 while the rows arrive."""
    if not source.geometry_column or source.geometry_type == "None":
        raise FileRefused(_("No feature has a usable geometry: the file has no shapes."))
    table = qualified.removeprefix(f"{STAGING_SCHEMA}.")
    watch = _copy_progress(table, source.feature_count, progress)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".sql") as sql_file:
        sql_file.write(select_sql(source, layer_id))
        sql_file.flush()
        command = _command(source, table, sql_file.name, make_table)
        returncode, messages = run_ogr2ogr(command, source, watch)
    if returncode != 0:
        raise FileRefused(plain_gdal_error(messages, source))
    return [m for m in messages if m.startswith(("ERROR", "Warning"))][:20]
