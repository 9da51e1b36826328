"""Parsing of the spatial query parameters that every API endpoint shares."""

import math

from django.contrib.gis.geos import Polygon
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError


def parse_bbox(value, param="bbox"):
    """'minx,miny,maxx,maxy' in EPSG:4326 degrees -> a Polygon; a 400 with a message otherwise."""
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        message = _(
            "Expected four numbers: min longitude, min latitude, max longitude, max latitude."
        )
        raise ValidationError({param: message})
    minx, miny, maxx, maxy = numbers
    if minx > maxx or miny > maxy:
        raise ValidationError({param: _("The minimum must not exceed the maximum.")})
    if not (
        -180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90
    ):
        raise ValidationError({param: _("Coordinates are outside longitude/latitude range.")})
    return Polygon.from_bbox(numbers)


def parse_point(value, param="near"):
    """'lon,lat' in EPSG:4326 degrees -> (lon, lat); a 400 with a message otherwise."""
    try:
        lon, lat = (float(part) for part in value.split(","))
    except ValueError:
        raise ValidationError({param: _("Expected two numbers: longitude,latitude.")}) from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError({param: _("Coordinates are outside longitude/latitude range.")})
    return lon, lat
