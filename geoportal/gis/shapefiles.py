"""What is checked of a Shapefile's parts before GDAL reads them: .shx and .dbf present, no part
cut short (GDAL would import the features before the cut and only warn), and a .prj that GDAL
could not read as it stands (a blank first line) read here as the WKT it is."""

import struct
from pathlib import Path

from django.contrib.gis.gdal import GDALException, SpatialReference
from django.utils.translation import gettext as _

from .files import FileRefused

# A .prj is a line of WKT; anything longer is no .prj.
PRJ_MAX_BYTES = 64 * 1024


def sidecar(shp, extension):
    """The file beside `shp` with the same stem and `extension` (any case), or None."""
    for candidate in Path(shp).parent.iterdir():
        if candidate.stem == shp.stem and candidate.suffix.lower() == extension:
            return candidate
    return None


def check_parts(shp):
    """FileRefused for a Shapefile missing its .shx or .dbf, or with a part cut short."""
    missing = [ext for ext in (".shx", ".dbf") if sidecar(shp, ext) is None]
    if missing:
        raise FileRefused(
            _("The Shapefile %(name)s is incomplete: %(missing)s missing.")
            % {"name": shp.name, "missing": ", ".join(missing)}
        )
    for part in (shp, sidecar(shp, ".shx"), sidecar(shp, ".dbf")):
        declared = _declared_size(part)
        actual = part.stat().st_size
        if declared is not None and actual < declared:
            raise FileRefused(
                _("The Shapefile part %(name)s is cut short: it should hold %(declared)s bytes "
                  "but holds %(actual)s. Export or copy the Shapefile again.")
                % {"name": part.name, "declared": declared, "actual": actual}
            )  # fmt: skip


def _declared_size(part):
    """The size a part's header declares: .shp and .shx give their length in 16-bit words at
    byte 24 (big-endian); a .dbf its header length plus records times record length."""
    with open(part, "rb") as handle:
        header = handle.read(32)
    if part.suffix.lower() in (".shp", ".shx"):
        if len(header) < 28:
            return 100  # shorter than the fixed header itself
        return struct.unpack(">i", header[24:28])[0] * 2
    if len(header) < 12:
        return 32
    records, header_length, record_length = struct.unpack("<IHH", header[4:12])
    return header_length + records * record_length


def prj_srs(shp):
    """The CRS of the .prj beside `shp`, read as WKT whatever blank lines surround it; None if
    there is no .prj or it is no WKT. (GDAL takes a .prj opening with a blank line for none.)"""
    prj = sidecar(shp, ".prj")
    if prj is None or prj.stat().st_size > PRJ_MAX_BYTES:
        return None
    text = prj.read_bytes().decode("utf-8", errors="replace").strip()
    if not text:
        return None
    try:
        # WKT only: SpatialReference's "user" input would also read files and fetch URLs.
        return SpatialReference(text, srs_type="wkt")
    except (GDALException, ValueError, TypeError):
        return None
