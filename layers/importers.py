"""The one import pipeline for planners' GIS files: the admin, the REST API, the import_layer
command and the demo loader all come through here.

1. check_file: the extension, size and (for zips) the members, before anything is extracted.
2. unpack + inspect: safe extraction into a temporary folder, then what GDAL finds there (layers,
   CRS, encoding, CSV coordinate columns), refusing with a plain-language ImportFailed.
3. stage_file: Debian's ogr2ogr streams the data into a table of the import_staging schema
   (COPY, reprojected to EPSG:4326, Z/M dropped, curves linearised): memory stays flat.
4. run_import: one SQL statement moves the staged rows into layers_feature (repairs invalid
   geometries, skips empty ones, normalises single/multi types) in the same transaction that
   deletes the old features and updates the layer. A failure anywhere leaves the layer as it was.

stage_file/staged_file are the lower-level reader that other apps reuse for their own tables.
"""

import logging
import re
import shutil
import struct
import subprocess
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.gis.gdal import DataSource, GDALException, SpatialReference
from django.contrib.gis.geos import Polygon
from django.db import connection, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .styles import effective_style

logger = logging.getLogger(__name__)

STAGING_SCHEMA = "import_staging"
FID_COLUMN = "ogc_fid"
GEOMETRY_COLUMN = "geom"

# Extension -> format label. The label is what the layer records as its source format.
FORMATS = {
    ".zip": "ESRI Shapefile",
    ".shp": "ESRI Shapefile",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "GeoPackage",
    ".kml": "KML",
    ".kmz": "KMZ",
    ".csv": "CSV",
    ".tsv": "CSV",
    ".fgb": "FlatGeobuf",
    ".gpx": "GPX",
}
# GDAL lists these GPX layers beside the routes and tracks they belong to.
GPX_POINT_LAYERS = {"route_points", "track_points"}
LONGITUDE_NAMES = ["lon", "lng", "long", "longitude", "x", "долгота", "даўгата", "xcoord"]
LATITUDE_NAMES = ["lat", "latitude", "y", "широта", "шырата", "ycoord"]
WKT_NAMES = ["wkt", "geometry", "geom", "the_geom", "shape", "wkt_geom"]
# ogr2ogr says so for formats that do not know their feature count: not the planner's concern.
IGNORED_WARNING = "Progress turned off"
WKT_VALUE = re.compile(
    r"^\s*(SRID=\d+;\s*)?(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON|"
    r"GEOMETRYCOLLECTION)\b",
    re.IGNORECASE,
)


class ImportFailed(Exception):
    """Bad input or a failed import, with a message a planner can act on."""


@dataclass
class ImportOptions:
    """What the planner may state about the file; empty means "detect"."""

    crs: str = ""
    encoding: str = ""
    layer_name: str = ""
    x_column: str = ""
    y_column: str = ""
    wkt_column: str = ""

    @classmethod
    def from_dict(cls, data):
        data = data or {}
        return cls(**{name: (data.get(name) or "").strip() for name in cls.__dataclass_fields__})

    def as_dict(self):
        return asdict(self)


@dataclass
class Source:
    """A dataset on disk, inspected: what ogr2ogr will be told to read."""

    path: Path
    format: str
    layer_name: str = ""
    source_crs: str = ""
    s_srs: str = ""
    encoding: str = ""
    open_options: list[str] = field(default_factory=list)
    preserve_fid: bool = False


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


def supported_extensions():
    return sorted(FORMATS)


def max_upload_size():
    return settings.MAX_UPLOAD_SIZE


# ---------------------------------------------------------------------------------------------
# 1. Checks before extraction


def check_file(path):
    """Refuse what cannot be imported, before reading it: returns the format label."""
    path = Path(path)
    if not path.is_file():
        raise ImportFailed(_("The file %(name)s does not exist.") % {"name": path.name})
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ImportFailed(
            _(
                "Unsupported format %(ext)s: upload a zipped Shapefile, GeoJSON, GeoPackage, "
                "KML, KMZ, CSV, FlatGeobuf or GPX file."
            )
            % {"ext": suffix or _("(no extension)")}
        )
    size = path.stat().st_size
    if size == 0:
        raise ImportFailed(_("The file %(name)s is empty.") % {"name": path.name})
    if size > settings.MAX_UPLOAD_SIZE:
        raise ImportFailed(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": size // 2**20, "limit": settings.MAX_UPLOAD_SIZE // 2**20}
        )
    if suffix in {".zip", ".kmz"}:
        members = check_zip(path)
        if suffix == ".zip" and not any(m.lower().endswith(".shp") for m in members):
            raise ImportFailed(
                _("The zip file has no .shp file: zip the .shp with its .shx, .dbf and .prj.")
            )
        if suffix == ".kmz" and not any(m.lower().endswith(".kml") for m in members):
            raise ImportFailed(_("The KMZ file has no .kml document inside."))
    return FORMATS[suffix]


def check_zip(path):
    """The member names of a zip that is safe to extract, else ImportFailed."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFailed(
            _("The file %(name)s is damaged or is not a zip file.") % {"name": Path(path).name}
        ) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > settings.IMPORT_ZIP_MAX_FILES:
            raise ImportFailed(
                _("The zip file holds %(count)s files; the limit is %(limit)s.")
                % {"count": len(infos), "limit": settings.IMPORT_ZIP_MAX_FILES}
            )
        total = 0
        names = []
        for info in infos:
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or ":" in info.filename:
                raise ImportFailed(
                    _("The zip file is refused: %(member)s points outside its folder.")
                    % {"member": info.filename}
                )
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise ImportFailed(
                    _("The zip file is refused: %(member)s is a symbolic link.")
                    % {"member": info.filename}
                )
            total += info.file_size
            if not info.is_dir():
                names.append(str(name))
        # The declared sizes bound what zipfile will write (it stops there and checks the CRC).
        if total > settings.IMPORT_ZIP_MAX_UNCOMPRESSED:
            raise ImportFailed(
                _("The zip file would unpack to %(size)s MB; the limit is %(limit)s MB.")
                % {
                    "size": total // 2**20,
                    "limit": settings.IMPORT_ZIP_MAX_UNCOMPRESSED // 2**20,
                }
            )
        if archive.testzip() is not None:
            raise ImportFailed(
                _("The file %(name)s is damaged or is not a zip file.") % {"name": Path(path).name}
            )
    return names


# ---------------------------------------------------------------------------------------------
# 2. Unpacking and inspection


def unpack(path, folder):
    """The dataset to open: the file itself, or the .shp extracted from a checked zip."""
    path = Path(path)
    if path.suffix.lower() != ".zip":
        return path
    target = Path(folder) / "unzipped"
    target.mkdir()
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            destination = target.joinpath(*PurePosixPath(info.filename.replace("\\", "/")).parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, open(destination, "wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
    shapefiles = sorted(p for p in target.rglob("*") if p.suffix.lower() == ".shp")
    return shapefiles


def inspect(path, folder, options=None, allow_no_geometry=False):
    """Look at the file (without staging it): which layer, CRS, encoding and, for a CSV, which
    columns hold the coordinates. Raises ImportFailed naming the cause."""
    options = options or ImportOptions()
    fmt = check_file(path)
    dataset = unpack(path, folder)
    if isinstance(dataset, list):
        dataset = _choose_shapefile(dataset, options)
    if fmt == "CSV":
        return _inspect_csv(dataset, folder, options, allow_no_geometry)
    if dataset.suffix.lower() == ".shp":
        _check_shapefile_parts(dataset)
    source = Source(path=dataset, format=fmt)
    try:
        datasource = DataSource(str(dataset))
    except GDALException as exc:
        raise ImportFailed(
            _("GDAL cannot read %(name)s as %(format)s: the file is damaged or not that format.")
            % {"name": Path(path).name, "format": fmt}
        ) from exc
    layers = [datasource[i] for i in range(datasource.layer_count)]
    if fmt == "GPX":
        layers = [lyr for lyr in layers if lyr.name not in GPX_POINT_LAYERS and lyr.num_feat]
    if not layers:
        raise ImportFailed(_("The file has no layers with features."))
    names = [lyr.name for lyr in layers]
    if options.layer_name:
        if options.layer_name not in names:
            raise ImportFailed(
                _("The file has no layer %(layer)s; its layers are: %(names)s.")
                % {"layer": options.layer_name, "names": ", ".join(names)}
            )
        layer = layers[names.index(options.layer_name)]
    elif len(layers) == 1:
        layer = layers[0]
    else:
        raise ImportFailed(
            _("The file has %(count)s layers: %(names)s. Choose the one to import.")
            % {"count": len(layers), "names": ", ".join(names)}
        )
    source.layer_name = layer.name if len(names) > 1 or fmt in {"GPX", "GeoPackage"} else ""
    source.preserve_fid = fmt in {"ESRI Shapefile", "GeoPackage", "FlatGeobuf"}
    _set_crs(source, layer.srs, options, dataset)
    if dataset.suffix.lower() == ".shp":
        source.encoding = _shapefile_encoding(dataset, options.encoding)
        if source.encoding:
            source.open_options.append(f"ENCODING={source.encoding}")
    return source


def _choose_shapefile(shapefiles, options):
    if options.layer_name:
        chosen = [p for p in shapefiles if p.stem == options.layer_name]
        if not chosen:
            raise ImportFailed(
                _("The zip file has no layer %(layer)s; its layers are: %(names)s.")
                % {"layer": options.layer_name, "names": ", ".join(p.stem for p in shapefiles)}
            )
        return chosen[0]
    if len(shapefiles) > 1:
        raise ImportFailed(
            _("The zip file has %(count)s Shapefiles: %(names)s. Choose the one to import.")
            % {"count": len(shapefiles), "names": ", ".join(p.stem for p in shapefiles)}
        )
    return shapefiles[0]


def _sidecar(shp, extension):
    for candidate in shp.parent.iterdir():
        if candidate.stem == shp.stem and candidate.suffix.lower() == extension:
            return candidate
    return None


def _check_shapefile_parts(shp):
    missing = [ext for ext in (".shx", ".dbf") if _sidecar(shp, ext) is None]
    if missing:
        raise ImportFailed(
            _("The Shapefile %(name)s is incomplete: %(missing)s missing.")
            % {"name": shp.name, "missing": ", ".join(missing)}
        )


def _set_crs(source, srs, options, dataset):
    if options.crs:
        try:
            stated = SpatialReference(_crs_input(options.crs))
        except (GDALException, ValueError, TypeError) as exc:
            raise ImportFailed(
                _("Unknown CRS %(crs)s: give an EPSG code such as EPSG:32635.")
                % {"crs": options.crs}
            ) from exc
        source.s_srs = _crs_input(options.crs)
        source.source_crs = _crs_label(stated) or options.crs
        return
    if srs is None:
        hint = _(" (the .prj file is missing)") if dataset.suffix.lower() == ".shp" else ""
        raise ImportFailed(
            _(
                "The file has no coordinate reference system%(hint)s: state it, "
                "for example EPSG:32635 for UTM zone 35N."
            )
            % {"hint": hint}
        )
    source.source_crs = _crs_label(srs)


def _crs_input(text):
    text = text.strip()
    return f"EPSG:{text}" if text.isdigit() else text


def _crs_label(srs):
    with suppress(GDALException):
        srs.identify_epsg()
    for target in ("PROJCS", "GEOGCS", None):
        name, code = srs.auth_name(target), srs.auth_code(target)
        if name and code:
            return f"{name}:{code}"
    return srs.name or ""


def _shapefile_encoding(shp, override):
    """The DBF's encoding: the planner's, else GDAL's own reading of .cpg or the DBF's code-page
    byte, else detected from the bytes (UTF-8 if they decode strictly, Windows-1251 otherwise:
    Belarusian DBFs without a .cpg are nearly always CP1251)."""
    if override:
        return _encoding_name(override)
    dbf = _sidecar(shp, ".dbf")
    if _sidecar(shp, ".cpg") is not None or dbf is None:
        return ""
    with open(dbf, "rb") as handle:
        header = handle.read(32)
        if len(header) < 32 or header[29] != 0:
            return ""
        header_length, record_length = struct.unpack("<HH", header[8:12])
        handle.seek(header_length)
        sample = handle.read(min(record_length * 20000, 8 * 2**20))
    return _detect_encoding(sample)


def _detect_encoding(sample):
    if sample.isascii():
        return ""
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multibyte character cut at the end of the sample is still UTF-8.
        if exc.start < len(sample) - 3:
            return "CP1251"
    return "UTF-8"


def _encoding_name(name):
    import codecs

    try:
        codec = codecs.lookup(name.strip())
    except LookupError as exc:
        raise ImportFailed(
            _("Unknown encoding %(name)s: use, for example, UTF-8 or CP1251.") % {"name": name}
        ) from exc
    return {"utf-8": "UTF-8", "cp1251": "CP1251"}.get(codec.name, codec.name.upper())


def _inspect_csv(path, folder, options, allow_no_geometry=False):
    """Coordinates: the planner's columns, else lon/lat-like names, else a WKT column."""
    encoding = _encoding_name(options.encoding) if options.encoding else ""
    with open(path, "rb") as handle:
        sample = handle.read(2**20)
    if not encoding:
        encoding = _detect_encoding(sample.removeprefix(b"\xef\xbb\xbf")) or "UTF-8"
    if encoding != "UTF-8":
        # GDAL reads CSV as UTF-8: a streamed UTF-8 copy keeps the Cyrillic.
        converted = Path(folder) / f"converted{path.suffix.lower()}"
        with (
            open(path, encoding=encoding, errors="replace", newline="") as src,
            open(converted, "w", encoding="utf-8", newline="") as dst,
        ):
            shutil.copyfileobj(src, dst, 2**20)
        path = converted
        sample = sample.decode(encoding, errors="replace").encode("utf-8")
    header, first = _csv_rows(sample.decode("utf-8", errors="replace").removeprefix("\ufeff"))
    if not header:
        raise ImportFailed(_("The CSV file has no header row."))
    source = Source(path=path, format="CSV", encoding=encoding)
    lowered = {name.strip().lower(): name for name in header}

    def column(stated):
        if stated not in header:
            raise ImportFailed(
                _("The CSV file has no column %(column)s; its columns are: %(columns)s.")
                % {"column": stated, "columns": ", ".join(header)}
            )
        return stated

    x = column(options.x_column) if options.x_column else ""
    y = column(options.y_column) if options.y_column else ""
    wkt = column(options.wkt_column) if options.wkt_column else ""
    if bool(x) != bool(y):
        raise ImportFailed(_("Name both the longitude (X) and the latitude (Y) columns."))
    if not (x or wkt):
        x = next((lowered[n] for n in LONGITUDE_NAMES if n in lowered), "")
        y = next((lowered[n] for n in LATITUDE_NAMES if n in lowered), "")
        if not (x and y):
            x = y = ""
            wkt = next((lowered[n] for n in WKT_NAMES if n in lowered), "")
            if not wkt and first:
                wkt = next(
                    (
                        name
                        for name, value in zip(header, first, strict=False)
                        if WKT_VALUE.match(value or "")
                    ),
                    "",
                )
    if not (x or wkt or allow_no_geometry):
        raise ImportFailed(
            _(
                "No coordinates found in the CSV: expected longitude and latitude columns "
                "(lon/lat, longitude/latitude, x/y) or a WKT geometry column. Its columns are: "
                "%(columns)s. Name the columns in the form."
            )
            % {"columns": ", ".join(header)}
        )
    if x:
        source.open_options += [f"X_POSSIBLE_NAMES={x}", f"Y_POSSIBLE_NAMES={y}"]
    elif wkt:
        source.open_options.append(f"GEOM_POSSIBLE_NAMES={wkt}")
    else:
        # Attributes only: a caller that builds the geometry itself from the columns.
        source.open_options.append("GEOM_POSSIBLE_NAMES=")
    source.open_options.append("KEEP_GEOM_COLUMNS=NO")
    if options.crs:
        _set_crs(source, None, options, path)
    else:
        # Coordinates in a CSV are longitude/latitude unless the planner says otherwise.
        source.source_crs = source.s_srs = "EPSG:4326"
    return source


def _csv_rows(text):
    import csv

    lines = text.splitlines()[:50]
    if not lines:
        return [], []
    # The delimiter most frequent in the header: csv.Sniffer guesses wrong on short samples.
    delimiter = max(",;\t|", key=lines[0].count)
    rows = list(csv.reader(lines, delimiter=delimiter))
    header = [name.strip() for name in rows[0]]
    return header, rows[1] if len(rows) > 1 else []


# ---------------------------------------------------------------------------------------------
# 3. Staging with ogr2ogr


def gdal_pg_dsn():
    """The database as a GDAL `PG:` connection string (ogr2ogr of imports and downloads)."""
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
    parts["tables"] = f"{STAGING_SCHEMA}.unlisted"
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


def _run_ogr2ogr(command, progress):
    env = {"PATH": "/usr/bin:/bin", "PGPASSWORD": connection.settings_dict.get("PASSWORD") or ""}
    env["CPL_LOG_ERRORS"] = "ON"
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, env=env)
        buffer = b""
        while chunk := process.stdout.read1(256):
            buffer = (buffer + chunk)[-64:]
            done = re.findall(rb"(\d+)(?:\.\.\.| - done)", buffer)
            if done and progress:
                progress(int(done[-1]))
        process.wait()
        stderr.seek(0)
        messages = stderr.read().decode("utf-8", errors="replace").splitlines()
    return process.returncode, [m.strip() for m in messages if m.strip()]


def _plain_gdal_error(messages, source):
    errors = [m.split(":", 1)[1].strip() for m in messages if m.startswith("ERROR")]
    text = "; ".join(errors[:3]) or "; ".join(messages[:3])
    if "transform" in text.lower() or "srs" in text.lower():
        return _("Cannot reproject from %(crs)s to EPSG:4326: %(detail)s") % {
            "crs": source.source_crs or source.s_srs,
            "detail": text,
        }
    return _("GDAL could not read the file: %(detail)s") % {"detail": text or _("unknown error")}


def stage_file(
    path,
    options=None,
    progress: Callable[[int], None] | None = None,
    allow_no_geometry=False,
):
    """Stage any supported file (zipped Shapefile, GeoJSON, GeoPackage, KML/KMZ, CSV, FlatGeobuf,
    GPX) into a new table of the import_staging schema and say what it holds. The caller drops
    the table (drop_staged, or use staged_file). Raises ImportFailed with a plain message.
    progress, if given, is called with 0-100 while ogr2ogr reads the file. allow_no_geometry
    stages a CSV without coordinate columns as attributes only (geometry_column None)."""
    options = options or ImportOptions()
    table = f"s_{uuid.uuid4().hex}"
    with tempfile.TemporaryDirectory(prefix="geoportal-import-") as folder:
        source = inspect(path, folder, options, allow_no_geometry)
        returncode, messages = _run_ogr2ogr(_ogr2ogr_command(source, table), progress)
        qualified = f"{STAGING_SCHEMA}.{table}"
        if returncode != 0:
            drop_staged(qualified)
            raise ImportFailed(_plain_gdal_error(messages, source))
    try:
        return _describe_staged(qualified, table, source, messages)
    except Exception:
        drop_staged(qualified)
        raise


def _describe_staged(qualified, table, source, messages):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            [STAGING_SCHEMA, table],
        )
        found = cursor.fetchall()
        if not found:
            raise ImportFailed(_("GDAL read nothing from the file."))
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
        ][:20],
    )


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


# ---------------------------------------------------------------------------------------------
# 4. Layers: queue, run, swap

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
    from psycopg import sql

    raw = connection.connection

    def pair(name):
        return f"{sql.Literal(name).as_string(raw)}, s.{sql.Identifier(name).as_string(raw)}"

    chunks = [names[i : i + 50] for i in range(0, len(names), 50)]
    built = " || ".join(f"jsonb_build_object({', '.join(map(pair, chunk))})" for chunk in chunks)
    # The names go into SQL that is then run with parameters.
    return built.replace("%", "%%")


def move_rows(layer, staged):
    """Replace the layer's features with the staged rows; runs inside the caller's transaction
    and returns the report. One counting pass, then one INSERT ... SELECT that repairs only when
    the count found invalid geometries and normalises types only when the file mixes them."""
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
        partition = f"layers_feature_{int(layer.pk)}_{uuid.uuid4().hex[:8]}"
        cursor.execute(
            f"CREATE TABLE {partition} (LIKE layers_feature INCLUDING DEFAULTS, "
            f"CHECK (layer_id = {int(layer.pk)}))"
        )
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
        _swap_partition(cursor, layer.pk, partition)
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
    return {
        "read": read,
        "imported": imported,
        "repaired": invalid - unrepairable,
        "skipped": sum(skipped.values()),
        "skipped_reasons": skipped,
        "skipped_feature_ids": sample,
        "geometry_type": geometry_type,
        "warnings": staged.errors,
    }


def _layer_partitions(cursor, layer_id):
    cursor.execute(
        "SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'layers_feature'::regclass "
        "AND pg_get_expr(c.relpartbound, c.oid) = %s",
        [f"FOR VALUES IN ('{int(layer_id)}')"],
    )
    return [row[0] for row in cursor.fetchall()]


def _swap_partition(cursor, layer_id, partition):
    """Index the new partition in bulk, then put it in the place of the layer's old features
    (its old partition, or its rows in the default partition)."""
    cursor.execute(f"CREATE INDEX ON {partition} USING gist (layer_id, geom)")
    cursor.execute(f"CREATE INDEX ON {partition} (layer_id)")
    cursor.execute(f"ALTER TABLE {partition} ADD PRIMARY KEY (id, layer_id)")
    for old in _layer_partitions(cursor, layer_id):
        cursor.execute(f"ALTER TABLE layers_feature DETACH PARTITION {old}")
        cursor.execute(f"DROP TABLE {old}")
    cursor.execute("DELETE FROM layers_feature_default WHERE layer_id = %s", [layer_id])
    cursor.execute(
        f"ALTER TABLE layers_feature ATTACH PARTITION {partition} FOR VALUES IN ({int(layer_id)})"
    )


def drop_layer_partition(sender, instance, **kwargs):
    """post_delete of a Layer: its (by then empty) partition goes too."""
    with connection.cursor() as cursor:
        for old in _layer_partitions(cursor, instance.pk):
            cursor.execute(f"DROP TABLE {old}")


def new_layer_slug(title):
    """A free slug for a new layer: from the title's Latin letters, else "layer"."""
    from .models import Layer

    base = slugify(title)[:90] or "layer"
    slug, number = base, 1
    while Layer.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def create_version(layer, filename, user=None):
    from .models import LayerVersion

    number = (layer.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return LayerVersion.objects.create(
        layer=layer,
        number=number,
        created_by=user if user is not None and user.is_authenticated else None,
        source_filename=Path(filename).name,
        source_format=FORMATS.get(Path(filename).suffix.lower(), ""),
    )


def queue_import(layer, path, options=None, user=None):
    """Check the file now (bad input is refused at once), move it where the worker finds it and
    queue the import once the current transaction commits. Returns the LayerVersion."""
    from .models import Layer
    from .tasks import import_layer_task

    options = options or ImportOptions()
    with tempfile.TemporaryDirectory(prefix="geoportal-check-") as folder:
        inspect(path, folder, options)
    waiting = Path(settings.IMPORT_ROOT) / uuid.uuid4().hex
    waiting.mkdir(parents=True)
    queued = waiting / Path(path).name
    shutil.copyfile(path, queued)
    version = create_version(layer, queued.name, user)
    Layer.objects.filter(pk=layer.pk).update(status=Layer.Status.QUEUED, progress=0)
    transaction.on_commit(
        lambda: import_layer_task.delay(version.pk, str(queued), options.as_dict())
    )
    return version


def import_now(layer, path, options=None, user=None):
    """Import in this process (the command, the demo loader); raises ImportFailed on failure."""
    version = create_version(layer, path, user)
    run_import(version.pk, path, options)
    version.refresh_from_db()
    if version.status != version.layer.Status.READY:
        raise ImportFailed(version.error_message)
    return version


def run_import(version_id, path, options=None, remove_file=False):
    """The worker's part: stage the file, then swap the features in one transaction. Never
    raises for bad input: the outcome is on the LayerVersion and the Layer."""
    from .models import Layer, LayerVersion

    version = LayerVersion.objects.select_related("layer").get(pk=version_id)
    layer = version.layer
    options = options if isinstance(options, ImportOptions) else ImportOptions.from_dict(options)
    started = time.monotonic()

    def report_progress(percent):
        Layer.objects.filter(pk=layer.pk).update(progress=percent)

    LayerVersion.objects.filter(pk=version.pk).update(status=Layer.Status.IMPORTING)
    Layer.objects.filter(pk=layer.pk).update(status=Layer.Status.IMPORTING, progress=1)
    try:
        # ogr2ogr's reading is most of the work: 2-80 %.
        with staged_file(path, options, lambda p: report_progress(2 + p * 78 // 100)) as staged:
            report_progress(85)
            with transaction.atomic():
                locked = Layer.objects.select_for_update().get(pk=layer.pk)
                report = move_rows(locked, staged)
                if not report["imported"]:
                    raise ImportFailed(_no_features_message(report))
                report["seconds"] = round(time.monotonic() - started, 1)
                _finish(locked, version, staged, report)
    except ImportFailed as exc:
        _fail(layer.pk, version.pk, str(exc))
    except Exception as exc:
        logger.exception("import of layer %s failed", layer.pk)
        _fail(
            layer.pk,
            version.pk,
            _("Unexpected error during the import: %(error)s") % {"error": exc},
        )
    finally:
        if remove_file:
            _remove_queued(path)


def _no_features_message(report):
    if not report["read"]:
        return _("The file has no features.")
    reasons = ", ".join(
        f"{count} {_(reason)}" for reason, count in report["skipped_reasons"].items()
    )
    return _("No feature has a usable geometry (%(reasons)s).") % {"reasons": reasons}


def _finish(layer, version, staged, report):
    from .models import Layer

    layer.source_filename = version.source_filename
    layer.source_format = staged.source_format
    layer.source_crs = staged.source_crs
    layer.geometry_type = report["geometry_type"]
    # A first import stores the default style for the geometry; a saved style is kept.
    layer.style = effective_style(layer)
    layer.attributes = staged.columns
    layer.feature_count = report["imported"]
    layer.extent = _extent_polygon(layer.pk)
    layer.status = Layer.Status.READY
    layer.progress = 100
    layer.import_report = report
    layer.error_message = ""
    layer.version = version.number
    layer.save()
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


def _fail(layer_id, version_id, message):
    """Record the failure; the features and metadata of the last good import stay as they were."""
    from .models import Layer, LayerVersion

    LayerVersion.objects.filter(pk=version_id).update(
        status=Layer.Status.FAILED, error_message=message
    )
    layer = Layer.objects.get(pk=layer_id)
    # A layer that has good data keeps showing it: the failed version carries the error.
    status = Layer.Status.READY if layer.version else Layer.Status.FAILED
    Layer.objects.filter(pk=layer_id).update(status=status, progress=0, error_message=message)


def _remove_queued(path):
    folder = Path(path).parent
    if folder.parent == Path(settings.IMPORT_ROOT):
        shutil.rmtree(folder, ignore_errors=True)


def queue_upload(layer, upload, options=None, user=None):
    """queue_import for an uploaded file (admin form, API)."""
    from geoportal.uploads import upload_on_disk

    with upload_on_disk(upload) as path:
        return queue_import(layer, path, options, user)
