"""What GDAL finds in a planner's file, before anything is imported: which layer, which
coordinate system, which encoding and, for a CSV, which columns hold the coordinates. The result,
a Source, is all that staging (staging.py) and loading (loading.py) need: it is worked out once
and travels with the import. Every refusal is a FileRefused naming the cause in the planner's
language.
"""

import codecs
import ctypes
import re
import shutil
import struct
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.contrib.gis.gdal import GDALException, SpatialReference
from django.contrib.gis.gdal.error import SRSException
from django.contrib.gis.gdal.libgdal import lgdal
from django.contrib.gis.gdal.prototypes import ds as capi
from django.utils.translation import gettext as _

from .delimited import header_and_first_row
from .files import FileRefused, check_file, check_json_syntax, unpack
from .sandbox import open_vector, sniff
from .shapefiles import check_parts, prj_srs, sidecar

# GDAL lists these GPX layers beside the routes and tracks they belong to.
GPX_POINT_LAYERS = {"route_points", "track_points"}
LONGITUDE_NAMES = ["lon", "lng", "long", "longitude", "x", "долгота", "даўгата", "xcoord"]
LATITUDE_NAMES = ["lat", "latitude", "y", "широта", "шырата", "ycoord"]
WKT_NAMES = ["wkt", "geometry", "geom", "the_geom", "shape", "wkt_geom"]
CRS_CODE = re.compile(r"(EPSG|ESRI):\d{1,6}", re.IGNORECASE)
WKT_VALUE = re.compile(
    r"^\s*(SRID=\d+;\s*)?(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON|"
    r"GEOMETRYCOLLECTION)\b",
    re.IGNORECASE,
)


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
    """A dataset on disk, inspected: what ogr2ogr will be told to read. Stored with the import
    (as_dict/from_dict) so that the worker stages it without looking again."""

    path: Path
    format: str
    layer_name: str = ""
    source_crs: str = ""
    s_srs: str = ""
    encoding: str = ""
    open_options: list[str] = field(default_factory=list)
    preserve_fid: bool = False
    # The layer as GDAL reads it with the open options (describe): what loading.py selects.
    table: str = ""
    geometry_column: str = ""
    geometry_type: str = ""
    fields: list[dict] = field(default_factory=list)
    feature_count: int = 0

    def as_dict(self):
        return {**asdict(self), "path": str(self.path)}

    @classmethod
    def from_dict(cls, data):
        return cls(**{**data, "path": Path(data["path"])})


def inspect(path, folder, options=None, allow_no_geometry=False):
    """Look at the file (without staging it), unpacking a zip into `folder`: which layer, CRS,
    encoding and, for a CSV, which columns hold the coordinates. Raises FileRefused naming the
    cause; `allow_no_geometry` accepts a CSV without coordinates (attributes only)."""
    options = options or ImportOptions()
    fmt = check_file(path)
    dataset = unpack(path, folder, options.layer_name)
    sniff(dataset, fmt)
    if fmt == "CSV":
        return _inspect_csv(dataset, folder, options, allow_no_geometry)
    if dataset.suffix.lower() == ".shp":
        check_parts(dataset)
    source = Source(path=dataset, format=fmt)
    if fmt == "GeoJSON":
        check_json_syntax(dataset)
        # Arrays arrive as JSON text (not GDAL's "(2:a,b)" lists) and stay arrays in jsonb.
        source.open_options.append("ARRAY_AS_STRING=YES")
    if dataset.suffix.lower() == ".shp":
        source.encoding = _shapefile_encoding(dataset, options.encoding)
        if source.encoding:
            source.open_options.append(f"ENCODING={source.encoding}")
    try:
        datasource = open_vector(dataset, fmt, source.open_options)
    except GDALException as exc:
        raise FileRefused(
            _(
                "%(name)s cannot be read as %(format)s: the file is damaged or is in another "
                "format. Check that its extension matches its format, or export it again from "
                "your map program."
            )
            % {"name": Path(path).name, "format": fmt}
        ) from exc
    layers = [datasource[i] for i in range(datasource.layer_count)]
    if fmt == "GPX":
        layers = [lyr for lyr in layers if lyr.name not in GPX_POINT_LAYERS and lyr.num_feat]
    if not layers:
        raise FileRefused(_("The file has no layers with features."))
    names = [lyr.name for lyr in layers]
    # A zip's layer name chose the Shapefile already; within a file it names a layer.
    wanted = options.layer_name if dataset.suffix.lower() != ".shp" else ""
    if wanted:
        if wanted not in names:
            raise FileRefused(
                _("The file has no layer %(layer)s; its layers are: %(names)s.")
                % {"layer": wanted, "names": ", ".join(names)}
            )
        layer = layers[names.index(wanted)]
    elif len(layers) == 1:
        layer = layers[0]
    else:
        raise FileRefused(
            _("The file has %(count)s layers: %(names)s. Choose the one to import.")
            % {"count": len(layers), "names": ", ".join(names)}
        )
    source.layer_name = layer.name if len(names) > 1 or fmt in {"GPX", "GeoPackage"} else ""
    source.preserve_fid = fmt in {"ESRI Shapefile", "GeoPackage", "FlatGeobuf"}
    _set_crs(source, layer.srs, options, dataset)
    return describe(source, layer)


# OGR field types (OGRFieldType) -> the attribute types a layer records; lists are read as text.
FIELD_TYPES = {0: "integer", 2: "number", 4: "string", 8: "binary", 9: "date", 10: "time",
               11: "datetime", 12: "integer"}  # fmt: skip
OFST_BOOLEAN, OFST_JSON = 1, 4


def _ogr_function(name, restype, *argtypes):
    # lgdal[name] is a fresh function object: its prototype does not touch GeoDjango's.
    function = lgdal[name]
    function.restype, function.argtypes = restype, argtypes
    return function


_field_type = _ogr_function("OGR_Fld_GetType", ctypes.c_int, ctypes.c_void_p)
_field_subtype = _ogr_function("OGR_Fld_GetSubType", ctypes.c_int, ctypes.c_void_p)
_geometry_column = _ogr_function("OGR_L_GetGeometryColumn", ctypes.c_char_p, ctypes.c_void_p)


def describe(source, layer=None):
    """Fill in the source's layer (`layer`, opened with the source's open options, or the one
    they open) as GDAL reads it: name, geometry column and type, fields (name and type) and
    feature count. Returns the source."""
    if layer is None:
        try:
            datasource = open_vector(source.path, source.format, source.open_options)
        except GDALException as exc:
            raise FileRefused(
                _("GDAL could not read the file: %(detail)s") % {"detail": exc}
            ) from exc
        layers = {datasource[i].name: datasource[i] for i in range(datasource.layer_count)}
        layer = layers.get(source.layer_name) or next(iter(layers.values()), None)
        if layer is None:
            raise FileRefused(_("The file has no layers with features."))
    source.table = layer.name
    # GDAL's SQLite dialect calls a geometry without a column name of its own GEOMETRY.
    source.geometry_column = (_geometry_column(layer.ptr) or b"").decode() or "GEOMETRY"
    source.geometry_type = layer.geom_type.name
    source.feature_count = max(layer.num_feat, 0)
    source.fields = []
    for index, name in enumerate(layer.fields):
        definition = capi.get_field_defn(layer._ldefn, index)
        kind = FIELD_TYPES.get(_field_type(definition), "string")
        kind = {OFST_BOOLEAN: "boolean", OFST_JSON: "json"}.get(_field_subtype(definition), kind)
        source.fields.append({"name": name, "type": kind})
    return source


def _set_crs(source, srs, options, dataset):
    if options.crs:
        try:
            # Only an authority code: GDAL 3.6 would read a file or fetch a URL given as a CRS.
            if not CRS_CODE.fullmatch(_crs_input(options.crs)):
                raise ValueError(options.crs)
            stated = SpatialReference(_crs_input(options.crs))
        except (GDALException, ValueError, TypeError) as exc:
            raise FileRefused(
                _("Unknown CRS %(crs)s: give an EPSG code such as EPSG:32635.")
                % {"crs": options.crs}
            ) from exc
        source.s_srs = _crs_input(options.crs)
        source.source_crs = _crs_label(stated) or options.crs
        return
    if srs is None and dataset.suffix.lower() == ".shp" and (srs := prj_srs(dataset)):
        # GDAL did not read this .prj (a blank first line): ogr2ogr is told its WKT.
        source.s_srs = srs.wkt
    if srs is None:
        hint = _(" (the .prj file is missing)") if dataset.suffix.lower() == ".shp" else ""
        raise FileRefused(
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
    with suppress(GDALException, SRSException):
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
    dbf = sidecar(shp, ".dbf")
    if sidecar(shp, ".cpg") is not None or dbf is None:
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
    try:
        codec = codecs.lookup(name.strip())
    except LookupError as exc:
        raise FileRefused(
            _("Unknown encoding %(name)s: use, for example, UTF-8 or CP1251.") % {"name": name}
        ) from exc
    return {"utf-8": "UTF-8", "cp1251": "CP1251"}.get(codec.name, codec.name.upper())


def csv_columns(path, options=None, allow_no_geometry=False):
    """A CSV's coordinate columns (x, y, wkt; "" where none), found in its first MiB without
    GDAL: the request refuses a CSV whose columns are not found, naming the form's field
    (FileRefused.option), before the worker inspects it."""
    options = options or ImportOptions()
    _encoding, text = _csv_sample(path, options)
    return _coordinate_columns(*header_and_first_row(text), options, allow_no_geometry)


def _csv_sample(path, options):
    """(encoding, the decoded first MiB) of a CSV file."""
    encoding = _encoding_name(options.encoding) if options.encoding else ""
    with open(path, "rb") as handle:
        sample = handle.read(2**20)
    if not encoding:
        encoding = _detect_encoding(sample.removeprefix(b"\xef\xbb\xbf")) or "UTF-8"
    return encoding, sample.decode(encoding, errors="replace").removeprefix("\ufeff")


def _coordinate_columns(header, first, options, allow_no_geometry):
    """Coordinates: the planner's columns, else lon/lat-like names, else a WKT column."""
    if not header:
        raise FileRefused(_("The CSV file has no header row."))
    lowered = {name.strip().lower(): name for name in header}

    def column(stated):
        if stated not in header:
            raise FileRefused(
                _("The CSV file has no column %(column)s; its columns are: %(columns)s.")
                % {"column": stated, "columns": ", ".join(header)},
                option="x_column",
            )
        return stated

    x = column(options.x_column) if options.x_column else ""
    y = column(options.y_column) if options.y_column else ""
    wkt = column(options.wkt_column) if options.wkt_column else ""
    if bool(x) != bool(y):
        raise FileRefused(
            _("Name both the longitude (X) and the latitude (Y) columns."), option="x_column"
        )
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
        raise FileRefused(
            _(
                "No coordinates found in the CSV: expected longitude and latitude columns "
                "(lon/lat, longitude/latitude, x/y) or a WKT geometry column. Its columns are: "
                "%(columns)s. Name the columns in the form."
            )
            % {"columns": ", ".join(header)},
            option="x_column",
        )
    return x, y, wkt


def _inspect_csv(path, folder, options, allow_no_geometry=False):
    encoding, text = _csv_sample(path, options)
    if encoding != "UTF-8":
        # GDAL reads CSV as UTF-8: a streamed UTF-8 copy keeps the Cyrillic.
        converted = Path(folder) / f"converted{path.suffix.lower()}"
        with (
            open(path, encoding=encoding, errors="replace", newline="") as src,
            open(converted, "w", encoding="utf-8", newline="") as dst,
        ):
            shutil.copyfileobj(src, dst, 2**20)
        path = converted
    x, y, wkt = _coordinate_columns(*header_and_first_row(text), options, allow_no_geometry)
    source = Source(path=path, format="CSV", encoding=encoding)
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
    return describe(source)
