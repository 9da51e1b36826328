"""The coordinate reference systems the OGC API offers (Part 2, CRS by reference).

WGS 84 in longitude/latitude order (CRS84) is the default. Besides the web and UTM systems, a
Belarusian surveyor works in Pulkovo 1942 (SK-42) Gauss-Kruger: the 6-degree zones 4-6 and the
3-degree strips with central meridians 24, 27, 30 and 33 E cover the country (23.2-32.8 E).
`northing_first` is the axis order the EPSG registry defines (checked against PROJ in the tests):
coordinates in those CRSs are written latitude/northing first, as Part 2 requires.
"""

import math
from dataclasses import dataclass

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
MAX_COORDINATE = 1e8


@dataclass(frozen=True)
class CRS:
    uri: str
    srid: int
    title: str
    northing_first: bool = False
    geographic: bool = False

    @property
    def geometry_options(self):
        """How FeatureQuery.geojson_features writes geometries in this CRS."""
        return {"srid": self.srid, "flip_axes": self.northing_first, "geographic": self.geographic}


def _epsg(code, title, *, northing_first=False, geographic=False):
    uri = f"http://www.opengis.net/def/crs/EPSG/0/{code}"
    return CRS(uri, code, title, northing_first, geographic)


SUPPORTED = [
    CRS(CRS84, 4326, "WGS 84 (longitude, latitude)", geographic=True),
    _epsg(4326, "WGS 84 (latitude, longitude)", northing_first=True, geographic=True),
    _epsg(3857, "WGS 84 / Pseudo-Mercator"),
    _epsg(32634, "WGS 84 / UTM zone 34N"),
    _epsg(32635, "WGS 84 / UTM zone 35N"),
    _epsg(3035, "ETRS89 / LAEA Europe", northing_first=True),
    _epsg(4284, "Pulkovo 1942", northing_first=True, geographic=True),
    _epsg(28404, "Pulkovo 1942 / Gauss-Kruger zone 4", northing_first=True),
    _epsg(28405, "Pulkovo 1942 / Gauss-Kruger zone 5", northing_first=True),
    _epsg(28406, "Pulkovo 1942 / Gauss-Kruger zone 6", northing_first=True),
    _epsg(2583, "Pulkovo 1942 / 3-degree Gauss-Kruger CM 24E", northing_first=True),
    _epsg(2584, "Pulkovo 1942 / 3-degree Gauss-Kruger CM 27E", northing_first=True),
    _epsg(2585, "Pulkovo 1942 / 3-degree Gauss-Kruger CM 30E", northing_first=True),
    _epsg(2586, "Pulkovo 1942 / 3-degree Gauss-Kruger CM 33E", northing_first=True),
]
BY_URI = {crs.uri: crs for crs in SUPPORTED}
# Clients also write the short forms ("EPSG:3857", "OGC:CRS84"), and "[EPSG:3857]" (safe CURIE).
ALIASES = {"OGC:CRS84": CRS84, "CRS84": CRS84}


def crs_uris():
    return [crs.uri for crs in SUPPORTED]


def parse_crs(value, param="crs"):
    """A CRS URI (or EPSG:n / OGC:CRS84 short form) -> CRS; a 400 naming the choices otherwise."""
    text = (value or "").strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = ALIASES.get(text.upper(), text)
    if text.upper().startswith("EPSG:"):
        text = f"http://www.opengis.net/def/crs/EPSG/0/{text[5:]}"
    text = text.replace("https://", "http://")
    try:
        return BY_URI[text]
    except KeyError:
        raise ValidationError(
            {
                param: _("Unsupported CRS %(crs)s. Supported: %(list)s")
                % {"crs": value, "list": ", ".join(crs_uris())}
            }
        ) from None


def check_in_domain(geometry, param):
    """A geometry in another CRS than WGS 84 that PROJ cannot take to WGS 84 (outside that CRS's
    domain, as a UTM bbox of 1e8 m is) is a 400 naming the parameter, not a database error.
    PostGIS and GDAL share PROJ, so this transform fails exactly where the query would."""
    if geometry.srid in (None, 4326):
        return geometry
    extent = None
    # No CRS offered spans more than Earth's circumference in metres; PROJ spends minutes on
    # coordinates like 1e30, so they are refused before it sees them.
    if all(abs(value) <= MAX_COORDINATE for value in geometry.extent):
        try:
            extent = geometry.transform(4326, clone=True).extent
        except (GDALException, GEOSException, ValueError):
            extent = None
    if not (extent and all(math.isfinite(value) for value in extent)):
        raise ValidationError(
            {param: _("The coordinates are outside the area EPSG:%(srid)s covers.")
             % {"srid": geometry.srid}}
        )  # fmt: skip
    return geometry
