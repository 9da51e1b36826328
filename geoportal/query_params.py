"""The query parameters every endpoint shares, parsed in one place: integers, numbers, a bbox and
a point. Each parser raises DRF's ValidationError naming the parameter: a 400 in the API's one
error format (the OGC API words it as its exception). The form fields at the end wrap the same
parsers for the FilterSets of the REST API, which drf-spectacular documents.
"""

import math

from django import forms
from django.contrib.gis.geos import Polygon
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

# PostgreSQL's LIMIT and OFFSET are bigints: anything near that is no real page.
MAX_INTEGER = 2**62


def parse_int(value, name, *, default=None, minimum=None, maximum=MAX_INTEGER, clamp=False):
    """An integer parameter; empty gives `default`. Above `maximum` it is clamped when `clamp`
    (as OGC's `limit` is), refused otherwise."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: _("Expected an integer.")}) from None
    if minimum is not None and number < minimum:
        raise ValidationError({name: _("Must be at least %(min)s.") % {"min": minimum}})
    if maximum is not None and number > maximum:
        if clamp:
            return maximum
        raise ValidationError({name: _("Must be at most %(max)s.") % {"max": maximum}})
    return number


def parse_number(value, name, *, low, high):
    """A number from `low` to `high`; empty gives None."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({name: _("Expected a number.")}) from None
    if not (math.isfinite(number) and low <= number <= high):
        raise ValidationError(
            {name: _("Expected a number from %(low)s to %(high)s.") % {"low": low, "high": high}}
        )
    return number


def _numbers(value, count):
    try:
        numbers = [float(part) for part in value.split(",")]
    except (AttributeError, ValueError):
        return []
    if len(numbers) not in count or not all(math.isfinite(n) for n in numbers):
        return []
    return numbers


def parse_bbox(value, param="bbox", *, srid=4326, northing_first=False, geographic=True):
    """'minx,miny,maxx,maxy' -> a Polygon in `srid`. Six numbers (a 3D box) lose their heights;
    a northing-first CRS takes the numbers in its own axis order; degrees are range-checked."""
    numbers = _numbers(value, (4, 6))
    if not numbers:
        message = (
            _("Expected four numbers: min longitude, min latitude, max longitude, max latitude.")
            if geographic and not northing_first
            else _("Expected four numbers.")
        )
        raise ValidationError({param: message})
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if northing_first:
        numbers = [numbers[1], numbers[0], numbers[3], numbers[2]]
    minx, miny, maxx, maxy = numbers
    if minx > maxx or miny > maxy:
        raise ValidationError({param: _("The minimum must not exceed the maximum.")})
    if geographic and not (
        -180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90
    ):
        raise ValidationError({param: _("Coordinates are outside longitude/latitude range.")})
    box = Polygon.from_bbox(numbers)
    box.srid = srid
    return box


def parse_point(value, param="near"):
    """'lon,lat' in EPSG:4326 degrees -> (lon, lat)."""
    numbers = _numbers(value, (2,))
    if not numbers:
        raise ValidationError({param: _("Expected two numbers: longitude,latitude.")})
    lon, lat = numbers
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError({param: _("Coordinates are outside longitude/latitude range.")})
    return lon, lat


# ---------------------------------------------------------------------------------------------
# Form fields for django-filter FilterSets


class _ParsedField(forms.CharField):
    """A text field whose value a parser above turns into a Python value."""

    def parse(self, value):
        raise NotImplementedError

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return self.parse(value)
        except ValidationError as error:
            # The parser's message for its one parameter, as a form error.
            raise forms.ValidationError(next(iter(error.detail.values()))) from None


class BBoxField(_ParsedField):
    def parse(self, value):
        return parse_bbox(value)


class PointField(_ParsedField):
    def parse(self, value):
        return parse_point(value)
