"""How GDAL may touch a planner's file: only through the driver of the format its name declares,
never through a VRT, a /vsi path or the network.

GDAL picks a driver from a file's content, not its name: a VRT document named x.geojson would
read any file the process can read (or `CSV:/path`, or `/vsicurl/http://internal/`), and some
formats fetch URLs of their own (a GeoJSON "crs" link). So, for every GDAL call on a planner's
file or a download:
- the content is checked against the declared format first (sniff), with a plain message;
- in this process, GDALOpenEx gets the allowed drivers of that format (open_vector), and every
  HTTP fetch GDAL would make is refused by a callback (refuse_network);
- ogr2ogr (Debian's GDAL 3.6 has no `-if`) runs with GDAL_SKIP naming every other driver, the
  VRT drivers always (gdal_environment), and CONFIG: /vsicurl/ limited to an extension no URL
  has, HTTP through a closed proxy, no VRT Python, no external KML styles. The environment is
  built from nothing, so no proxy exemption (no_proxy) of the caller's leaks in.
"""

import ctypes
from functools import cache
from pathlib import Path

from django.contrib.gis.gdal import DataSource, GDALException
from django.contrib.gis.gdal.driver import Driver
from django.contrib.gis.gdal.libgdal import lgdal
from django.contrib.gis.gdal.prototypes import ds as capi
from django.utils.encoding import force_bytes
from django.utils.translation import gettext as _

from .files import FileRefused

# A format label (files.FORMATS) -> the GDAL drivers that may open a file of that format.
DRIVERS = {
    "ESRI Shapefile": ("ESRI Shapefile",),
    "GeoJSON": ("GeoJSON",),
    "GeoPackage": ("GPKG",),
    "KML": ("LIBKML", "KML"),
    "KMZ": ("LIBKML",),
    "CSV": ("CSV",),
    "FlatGeobuf": ("FlatGeobuf",),
    "GPX": ("GPX",),
}
# Never loaded for any GDAL call the portal makes: they read other files or URLs by design.
ALWAYS_SKIPPED = ("VRT", "OGR_VRT", "GNMFile", "GNMDatabase", "WFS", "OAPIF", "HTTP")
CONFIG = {
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".geoportal-network-disabled",
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "2",
    "GDAL_HTTP_CONNECTTIMEOUT": "2",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    "LIBKML_RESOLVE_STYLE": "NO",
    "CPL_CURL_ENABLE_VSIMEM": "NO",
}
GDAL_OF_VECTOR = 0x04
GDAL_OF_VERBOSE_ERROR = 0x40

# What a file of each format starts with (after a UTF-8 byte-order mark and white space), and the
# guesses named when a file does not: the planner learns what the file really is.
SIGNATURES = {
    "GeoPackage": (b"SQLite format 3\x00",),
    "FlatGeobuf": (b"fgb\x03",),
    "GeoJSON": (b"{",),
    "KML": (b"<",),
    "GPX": (b"<",),
    "KMZ": (b"PK\x03\x04",),
    "ESRI Shapefile": (b"\x00\x00\x27\x0a",),
}
LOOKS_LIKE = [
    (b"SQLite format 3\x00", "GeoPackage"),
    (b"fgb\x03", "FlatGeobuf"),
    (b"PK\x03\x04", "ZIP"),
    (b"{", "GeoJSON"),
    (b"[", "JSON"),
    (b"<OGRVRTDataSource", "GDAL VRT"),
    (b"<", "XML"),
]


def _register():
    Driver.ensure_registered()


@cache
def _driver_names():
    _register()
    count = lgdal.GDALGetDriverCount()
    lgdal.GDALGetDriver.restype = ctypes.c_void_p
    lgdal.GDALGetDriverShortName.restype = ctypes.c_char_p
    lgdal.GDALGetDriverShortName.argtypes = [ctypes.c_void_p]
    return tuple(
        lgdal.GDALGetDriverShortName(lgdal.GDALGetDriver(i)).decode() for i in range(count)
    )


def gdal_environment(*drivers, base=None):
    """The environment of an ogr2ogr run that may use only `drivers` (short names): GDAL_SKIP
    names every other driver. GDAL splits GDAL_SKIP at spaces, so a driver whose name has one
    (ESRI Shapefile, MapInfo File) cannot be skipped there: sniff() has refused a file whose
    content is not its declared format before any GDAL program sees it."""
    allowed = set(drivers)
    skipped = [
        name
        for name in (*_driver_names(), *ALWAYS_SKIPPED)
        if name not in allowed and " " not in name
    ]
    env = {"PATH": "/usr/bin:/bin", **(base or {}), **CONFIG}
    env["GDAL_SKIP"] = " ".join(dict.fromkeys(skipped))
    return env


# ---------------------------------------------------------------------------------------------
# In this process


class _HTTPResult(ctypes.Structure):
    _fields_ = [
        ("nStatus", ctypes.c_int),
        ("pszContentType", ctypes.c_char_p),
        ("pszErrBuf", ctypes.c_void_p),
        ("nDataLen", ctypes.c_int),
        ("nDataAlloc", ctypes.c_int),
        ("pabyData", ctypes.c_void_p),
        ("papszHeaders", ctypes.c_void_p),
        ("nMimePartCount", ctypes.c_int),
        ("pasMimePart", ctypes.c_void_p),
    ]


_FETCH = ctypes.CFUNCTYPE(
    ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
    ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
)  # fmt: skip
REFUSED_FETCHES = []


def _refuse(url, *args):
    """CPLHTTPFetch's replacement: a failed result, allocated by GDAL (which frees it)."""
    REFUSED_FETCHES.append((url or b"").decode(errors="replace")[:200])
    lgdal.CPLCalloc.restype = ctypes.c_void_p
    lgdal.CPLStrdup.restype = ctypes.c_void_p
    lgdal.CPLStrdup.argtypes = [ctypes.c_char_p]
    result = lgdal.CPLCalloc(ctypes.c_size_t(1), ctypes.c_size_t(ctypes.sizeof(_HTTPResult)))
    fields = _HTTPResult.from_address(result)
    fields.nStatus = 1
    fields.pszErrBuf = lgdal.CPLStrdup(b"network access is disabled for uploaded files")
    return result


_refuse_callback = _FETCH(_refuse)


@cache
def refuse_network():
    """Configure this process's GDAL once: CONFIG, and every CPLHTTPFetch refused."""
    _register()
    lgdal.CPLSetConfigOption.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    for key, value in CONFIG.items():
        lgdal.CPLSetConfigOption(key.encode(), value.encode())
    lgdal.CPLHTTPSetFetchCallback.argtypes = [_FETCH, ctypes.c_void_p]
    lgdal.CPLHTTPSetFetchCallback(_refuse_callback, None)
    return True


def _string_list(items):
    array = (ctypes.c_char_p * (len(items) + 1))()
    array[:-1] = [force_bytes(item) for item in items]
    return array


def open_vector(path, fmt, open_options=()):
    """A django DataSource of `path` opened only by the drivers of `fmt`; GDALException when none
    of them can read it."""
    refuse_network()
    try:
        pointer = capi.open_ds(
            force_bytes(str(path)),
            GDAL_OF_VECTOR | GDAL_OF_VERBOSE_ERROR,
            _string_list(DRIVERS[fmt]),
            _string_list(list(open_options)),
            None,
        )
    except GDALException:
        pointer = None
    if not pointer:
        raise GDALException(f"no allowed driver reads {Path(path).name}")
    return DataSource(pointer, capi.get_dataset_driver(pointer))


# ---------------------------------------------------------------------------------------------
# Before GDAL


def _looks_like(head):
    for prefix, label in LOOKS_LIKE:
        if head.startswith(prefix):
            return label
    return _("text") if _is_text(head) else _("binary data")


def _is_text(head):
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4
    return b"\x00" not in head


def sniff(path, fmt):
    """Refuse a file whose first bytes are not those of `fmt` (a FileRefused naming what it looks
    like). CSV must be text that is not XML or JSON; XML formats must have their root element."""
    with open(path, "rb") as handle:
        raw = handle.read(4096)
    head = raw.removeprefix(b"\xef\xbb\xbf").lstrip()
    ok = True
    if fmt in SIGNATURES:
        # A Shapefile's header is binary: its first bytes, not its first non-blank ones.
        ok = (raw if fmt == "ESRI Shapefile" else head).startswith(SIGNATURES[fmt])
    if ok and fmt == "KML":
        ok = b"<kml" in head.lower() and b"<ogrvrtdatasource" not in head.lower()
    if ok and fmt == "GPX":
        ok = b"<gpx" in head.lower()
    if fmt == "CSV":
        # Text in any single-byte or UTF-8 encoding has no NUL byte; XML or JSON is no CSV.
        ok = b"\x00" not in head and not head.startswith((b"<", b"{", b"["))
    if not ok:
        raise FileRefused(
            _("The file %(name)s is not %(format)s: its content looks like %(found)s.")
            % {"name": Path(path).name, "format": fmt, "found": _looks_like(head)}
        )
