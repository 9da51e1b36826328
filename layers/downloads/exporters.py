"""The five download formats of a FeatureQuery: GeoJSON (RFC 7946), CSV (UTF-8 with BOM, WKT
geometry), KML, GeoPackage and zipped Shapefile.

GeoJSON, CSV and KML are written in one pass over a server-side cursor (`stream`), linear in the
features and never holding the layer in memory; GeoPackage and Shapefile are written by ogr2ogr
reading the FeatureQuery's own SQL from PostGIS into a folder the caller owns (`write`).
Everything a spreadsheet or an XML reader could take for markup or a formula is escaped: CSV cells
and headers that would start a formula, KML text and names.
"""

import csv
import io
import json
import subprocess
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Func, TextField, Value
from django.db.models.functions import Cast

from geoportal.gis.sandbox import gdal_environment
from geoportal.gis.staging import gdal_pg_dsn

from ..queries import GEOJSON_PRECISION, FeatureQuery
from . import kml

CHUNK = 64 * 1024
SHAPEFILE_FIELD_LENGTH = 10
# format -> (label, file extension, content type)
FORMATS = {
    "geojson": ("GeoJSON", "geojson", "application/geo+json"),
    "csv": ("CSV", "csv", "text/csv; charset=utf-8"),
    "gpkg": ("GeoPackage", "gpkg", "application/geopackage+sqlite3"),
    "shp": ("Shapefile (ZIP)", "shp.zip", "application/zip"),
    "kml": ("KML", "kml", "application/vnd.google-earth.kml+xml"),
}
# Written row by row in Python; the others by ogr2ogr into a file.
STREAMED = {"geojson", "csv", "kml"}
# ogr2ogr's formats: driver, file extension, creation options.
OGR_FORMATS = {
    "gpkg": ("GPKG", "gpkg", []),
    "shp": ("ESRI Shapefile", "shp", ["-lco", "ENCODING=UTF-8"]),
}
OGR_GEOMETRY_TYPES = {
    "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
}  # fmt: skip
NUMERIC_TYPES = {
    "integer": "bigint", "int": "bigint", "integer64": "bigint",
    "real": "double precision", "float": "double precision", "double": "double precision",
    "number": "double precision",
}  # fmt: skip
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection): such text
# gets a leading apostrophe, which spreadsheets show as text and do not display.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


class ExportError(Exception):
    pass


def file_name(query, fmt):
    """<slug>-v<version>[-selection].<ext>: a reader knows what and which version they hold."""
    part = "-selection" if is_selection(query) else ""
    return f"{query.layer.slug}-v{query.layer.version}{part}.{FORMATS[fmt][1]}"


def is_selection(query):
    return query.bbox is not None or bool(query.properties)


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


def stream(query: FeatureQuery, fmt):
    """The file as chunks of about 64 kB of UTF-8 (GeoJSON, CSV and KML only)."""
    writer = {"geojson": geojson_text, "csv": csv_text, "kml": kml_text}[fmt]
    return _buffered(writer(query))


def write(query: FeatureQuery, fmt, folder):
    """Write the file into `folder` (the caller's, which it removes); returns its path."""
    target = Path(folder) / file_name(query, fmt)
    if fmt not in STREAMED:
        return ogr_export(query, fmt, Path(folder), target)
    with open(target, "wb") as handle:
        for chunk in stream(query, fmt):
            handle.write(chunk)
    return target


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


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula, made plain text; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(query):
    names = attribute_names(query.layer)
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(["WKT", *map(spreadsheet_safe, names)])
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
        values = (spreadsheet_safe(text_value(properties.get(name))) for name in names)
        yield writer.writerow([wkt, *values])


def text_value(value):
    """A JSON property as a CSV cell or KML text: JSON for objects and lists."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def kml_text(query):
    """KML 2.2 in one pass: each row's geometry from ST_AsKML, its attributes as SchemaData."""
    layer = query.layer
    types = {a["name"]: a.get("type", "string") for a in layer.attributes}
    names = attribute_names(layer)
    yield kml.head(layer.title, licence_text(layer), [(n, types.get(n, "string")) for n in names])
    rows = (
        query.queryset()
        .annotate(
            kml=Func(
                "geom", Value(GEOJSON_PRECISION), function="ST_AsKML", output_field=TextField()
            ),
            properties_json=Cast("properties", TextField()),
        )
        .values_list("id", "kml", "properties_json")
    )
    for fid, geometry, properties in rows.iterator(chunk_size=2000):
        values = json.loads(properties)
        yield kml.placemark(fid, geometry, {n: text_value(values.get(n)) for n in names})
    yield kml.TAIL


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


def ogr_export(query, fmt, folder, target):
    """Run ogr2ogr from PostGIS into `folder` (zipped for Shapefile, with the field-name list and
    the licence); returns the file's path."""
    layer = query.layer
    driver, extension, options = OGR_FORMATS[fmt]
    aliases = shapefile_field_names(attribute_names(layer)) if fmt == "shp" else None
    written = folder / f"{layer.slug}.{extension}"
    command = ["ogr2ogr", "-f", driver, str(written), gdal_pg_dsn(),
               "-sql", ogr_sql(query, aliases),
               "-nln", layer.slug, "-a_srs", "EPSG:4326"]  # fmt: skip
    if (layer.geometry_type or "").lower() in OGR_GEOMETRY_TYPES:
        command += ["-nlt", layer.geometry_type.upper()]
    command += options + _licence_options(layer, fmt)
    # Only the PostgreSQL reader and the format's writer, no network (geoportal.gis.sandbox);
    # the password in the environment, not on the command line, where `ps` shows it.
    password = connection.settings_dict.get("PASSWORD") or ""
    env = gdal_environment("PostgreSQL", driver, base={"PGPASSWORD": password})
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, env=env,
            timeout=settings.DOWNLOAD_BUILD_TIMEOUT,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise ExportError("ogr2ogr took too long") from exc
    if result.returncode != 0:
        raise ExportError(result.stderr.strip() or "ogr2ogr failed")
    if fmt == "shp":
        written = _zip_shapefile(folder, layer, aliases)
    written.rename(target)
    return target


def licence_text(layer):
    lines = [layer.title, f"Licence: {layer.licence or '-'}", f"Attribution: {layer.attribution}"]
    return "\n".join(lines) + "\n"


def _licence_options(layer, fmt):
    if fmt == "gpkg":
        return ["-mo", f"LICENCE={layer.licence}", "-mo", f"ATTRIBUTION={layer.attribution}",
                "-lco", f"DESCRIPTION={layer.title}"]  # fmt: skip
    return []


def _zip_shapefile(folder, layer, aliases):
    archive = folder / f"{layer.slug}.zip.part"
    mapping = io.StringIO()
    writer = csv.writer(mapping)
    writer.writerow(["shapefile_field", "original_name"])
    writer.writerows([short, name] for name, short in aliases.items())
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(folder.glob(f"{layer.slug}.*")):
            if part != archive:
                zf.write(part, part.name)
        zf.writestr("field_names.csv", mapping.getvalue())
        zf.writestr("LICENCE.txt", licence_text(layer))
    return archive
