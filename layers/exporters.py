"""Downloads of a layer's features: GeoJSON (RFC 7946), CSV (UTF-8 with BOM, WKT geometry),
GeoPackage, zipped Shapefile and KML, of the whole layer or of a FeatureQuery's bbox and filter.

Nothing here holds a layer in memory: GeoJSON and CSV are streamed row by row from a database
cursor (FeatureQuery.geojson_features and a server-side iterator), and the GDAL formats are
written by ogr2ogr reading the FeatureQuery's own SQL from PostGIS into a temporary file that is
then streamed and removed.
"""

import csv
import io
import json
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.db.models import Func, TextField, Value

from geoportal.gis.sandbox import gdal_environment
from geoportal.gis.staging import gdal_pg_dsn

from .queries import GEOJSON_PRECISION, FeatureQuery

CHUNK = 64 * 1024
SHAPEFILE_FIELD_LENGTH = 10
# The GDAL formats: driver, file extension, creation options.
OGR_FORMATS = {
    "gpkg": ("GPKG", "gpkg", []),
    "shp": ("ESRI Shapefile", "shp", ["-lco", "ENCODING=UTF-8"]),
    "kml": ("LIBKML", "kml", []),
}
FORMATS = {
    "geojson": ("GeoJSON", "geojson", "application/geo+json"),
    "csv": ("CSV", "csv", "text/csv; charset=utf-8"),
    "gpkg": ("GeoPackage", "gpkg", "application/geopackage+sqlite3"),
    "shp": ("Shapefile (ZIP)", "shp.zip", "application/zip"),
    "kml": ("KML", "kml", "application/vnd.google-earth.kml+xml"),
}
OGR_GEOMETRY_TYPES = {
    "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
}  # fmt: skip
NUMERIC_TYPES = {
    "integer": "bigint", "int": "bigint", "integer64": "bigint",
    "real": "double precision", "float": "double precision", "double": "double precision",
    "number": "double precision",
}  # fmt: skip


class ExportError(Exception):
    pass


@dataclass
class Download:
    filename: str
    content_type: str
    chunks: object  # an iterator of bytes


def file_name(query, fmt):
    """<slug>-v<version>[-selection].<ext>: a reader knows what and which version they hold."""
    layer = query.layer
    partial = query.bbox is not None or bool(query.properties)
    return f"{layer.slug}-v{layer.version}{'-selection' if partial else ''}.{FORMATS[fmt][1]}"


def attribute_names(layer):
    """The layer's attribute names in the source's order; from the data if no schema is stored."""
    if layer.attributes:
        return [a["name"] for a in layer.attributes]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT jsonb_object_keys(properties) FROM layers_feature WHERE layer_id = %s",
            [layer.pk],
        )
        return sorted(row[0] for row in cursor.fetchall())


def export(query: FeatureQuery, fmt):
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    content_type = FORMATS[fmt][2]
    if fmt == "geojson":
        chunks = _buffered(geojson_text(query))
    elif fmt == "csv":
        chunks = _buffered(csv_text(query))
    else:
        chunks = ogr_export(query, fmt)
    return Download(file_name(query, fmt), content_type, chunks)


def _buffered(texts):
    """Join small strings into chunks of about 64 kB of UTF-8."""
    buffer, size = [], 0
    for text in texts:
        buffer.append(text)
        size += len(text)
        if size >= CHUNK:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def geojson_text(query):
    """An RFC 7946 FeatureCollection (WGS 84 longitude/latitude, no "crs"), with the licence and
    attribution as foreign members."""
    layer = query.layer
    head = {
        "type": "FeatureCollection",
        "name": layer.slug,
        "title": layer.title,
        "licence": layer.licence,
        "attribution": layer.attribution,
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ',"features":[\n'
    for i, feature in enumerate(query.geojson_features()):
        yield ("," if i else "") + feature + "\n"
    yield "]}\n"


class _Line:
    """A csv writer target that hands back each line instead of storing it."""

    def write(self, text):
        return text


def csv_text(query):
    names = attribute_names(query.layer)
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(["WKT", *names])
    rows = (
        query.queryset()
        .annotate(
            wkt=Func(
                "geom", Value(GEOJSON_PRECISION), function="ST_AsText", output_field=TextField()
            )
        )
        .values_list("wkt", "properties")
    )
    for wkt, properties in rows.iterator(chunk_size=2000):
        yield writer.writerow([wkt, *(_csv_value(properties.get(name)) for name in names)])


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def shapefile_field_names(names):
    """Shapefile (dBASE) field names hold 10 bytes: shorten the longer ones, uniquely.
    Returns {original: short}."""
    mapping, taken = {}, set()
    for name in names:
        short = name.encode()[:SHAPEFILE_FIELD_LENGTH].decode(errors="ignore")
        n = 1
        while short.lower() in taken:
            suffix = f"_{n}"
            short = name.encode()[: SHAPEFILE_FIELD_LENGTH - len(suffix)].decode(errors="ignore")
            short += suffix
            n += 1
        taken.add(short.lower())
        mapping[name] = short
    return mapping


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def ogr_sql(query, aliases=None):
    """The FeatureQuery's own SQL with each attribute as a typed column, as one literal string
    for ogr2ogr (parameters bound by psycopg, so names and values are quoted safely)."""
    layer = query.layer
    types = {a["name"]: a.get("type", "string").lower() for a in layer.attributes}
    columns, params = [], []
    for name in attribute_names(layer):
        alias = _quote((aliases or {}).get(name, name))
        sql_type = NUMERIC_TYPES.get(types.get(name, "string"))
        if sql_type:
            # Only JSON numbers are cast: a stray text value becomes NULL instead of an error.
            columns.append(
                f"CASE WHEN jsonb_typeof(f.properties -> %s) = 'number' "
                f"THEN (f.properties ->> %s)::numeric::{sql_type} END AS {alias}"
            )
            params += [name, name]
        else:
            columns.append(f"f.properties ->> %s AS {alias}")
            params.append(name)
    inner, inner_params = query.queryset().query.sql_with_params()
    sql = f"SELECT {', '.join(columns + ['f.geom'])} FROM ({inner}) AS f ORDER BY f.id"
    return connection.ops.compose_sql(sql, [*params, *inner_params])


def ogr_export(query, fmt):
    """Run ogr2ogr from PostGIS into a temporary folder and stream the result (zipped for
    Shapefile, with the field-name list and the licence); the folder goes when done."""
    layer = query.layer
    driver, extension, options = OGR_FORMATS[fmt]
    folder = Path(tempfile.mkdtemp(prefix="export-"))
    aliases = shapefile_field_names(attribute_names(layer)) if fmt == "shp" else None
    target = folder / f"{layer.slug}.{extension}"
    command = ["ogr2ogr", "-f", driver, str(target), gdal_pg_dsn(), "-sql", ogr_sql(query, aliases),
               "-nln", layer.slug, "-a_srs", "EPSG:4326"]  # fmt: skip
    if (layer.geometry_type or "").lower() in OGR_GEOMETRY_TYPES:
        command += ["-nlt", layer.geometry_type.upper()]
    command += options + _licence_options(layer, fmt)
    # Only the PostgreSQL reader and the format's writer, no network (geoportal.gis.sandbox);
    # the password in the environment, not on the command line, where `ps` shows it.
    password = connection.settings_dict.get("PASSWORD") or ""
    env = gdal_environment("PostgreSQL", driver, base={"PGPASSWORD": password})
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
        if result.returncode != 0:
            raise ExportError(result.stderr.strip() or "ogr2ogr failed")
        if fmt == "shp":
            target = _zip_shapefile(folder, layer, aliases)
        handle = target.open("rb")
    finally:
        shutil.rmtree(folder)  # an open handle keeps its file readable until closed
    return _read_chunks(handle)


def _read_chunks(handle):
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _licence_text(layer):
    lines = [layer.title, f"Licence: {layer.licence or '-'}", f"Attribution: {layer.attribution}"]
    return "\n".join(lines) + "\n"


def _licence_options(layer, fmt):
    if fmt == "gpkg":
        return ["-mo", f"LICENCE={layer.licence}", "-mo", f"ATTRIBUTION={layer.attribution}",
                "-lco", f"DESCRIPTION={layer.title}"]  # fmt: skip
    if fmt == "kml":
        return ["-dsco", f"NAME={layer.title}", "-dsco", f"DESCRIPTION={_licence_text(layer)}"]
    return []


def _zip_shapefile(folder, layer, aliases):
    archive = folder / f"{layer.slug}.shp.zip"
    mapping = io.StringIO()
    writer = csv.writer(mapping)
    writer.writerow(["shapefile_field", "original_name"])
    writer.writerows([short, name] for name, short in aliases.items())
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(folder.glob(f"{layer.slug}.*")):
            if part != archive:
                zf.write(part, part.name)
        zf.writestr("field_names.csv", mapping.getvalue())
        zf.writestr("LICENCE.txt", _licence_text(layer))
    return archive
