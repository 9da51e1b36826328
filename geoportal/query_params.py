"""The query parameters every endpoint shares, parsed in one place: integers, numbers, yes/no,
lists, a bbox and a point. Each parser raises DRF's ValidationError naming the parameter: a 400
in the API's one error format (the OGC API words it as its exception). The filters at the end
wrap the same parsers for the REST API's FilterSets, which drf-spectacular documents.
"""

import math

import django_filters
from django import forms
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

# PostgreSQL's LIMIT and OFFSET are bigints: anything near that is no real page.
MAX_INTEGER = 2**62


def single(params, name):
    """The one value of a query parameter (None when absent); given twice is a 400: which of
    the two counts would be a guess."""
    values = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
    if len(values) > 1:
        raise ValidationError({name: _("Give this parameter once.")})
    return values[0] if values else None


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


def parse_bbox(
    value, param="bbox", *, srid=4326, northing_first=False, geographic=True, antimeridian=False
):
    """'minx,miny,maxx,maxy' -> a Polygon in `srid`. Six numbers (a 3D box) lose their heights;
    a northing-first CRS takes the numbers in its own axis order; degrees are range-checked. With
    `antimeridian` (OGC API - Features Part 1), a box in degrees whose west edge lies east of its
    east edge crosses the antimeridian: two boxes, as a MultiPolygon; otherwise it is a 400."""
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
    crosses_antimeridian = antimeridian and geographic and minx > maxx
    if (minx > maxx and not crosses_antimeridian) or miny > maxy:
        raise ValidationError({param: _("The minimum must not exceed the maximum.")})
    if geographic and not (
        -180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90
    ):
        raise ValidationError({param: _("Coordinates are outside longitude/latitude range.")})
    if crosses_antimeridian:
        box = MultiPolygon(
            Polygon.from_bbox((minx, miny, 180, maxy)), Polygon.from_bbox((-180, miny, maxx, maxy))
        )
    else:
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


def parse_bool(value, name):
    """true/false (also 1/0, yes/no); empty gives None."""
    if value is None or value == "":
        return None
    text = str(value).strip().lower()
    if text in TRUE | FALSE:
        return text in TRUE
    raise ValidationError({name: _("Expected true or false.")})


TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def parse_list(value, name, choices=None):
    """Comma-separated values, each one of `choices` when given; empty gives None."""
    if value is None or value == "":
        return None
    items = [item.strip() for item in str(value).split(",") if item.strip()]
    if choices is not None and (wrong := [item for item in items if item not in choices]):
        raise ValidationError(
            {name: _("Expected one or more of %(allowed)s, not %(wrong)s.")
             % {"allowed": ", ".join(choices), "wrong": ", ".join(wrong)}}
        )  # fmt: skip
    return items


# ---------------------------------------------------------------------------------------------
# Fields and filters for the REST API's django-filter FilterSets: the same parsers, documented
# by drf-spectacular with the types below.


class ParsedField(forms.CharField):
    """A text field that one of the parsers above turns into its value; `parse(text, name)`."""

    def __init__(self, *, parse, **kwargs):
        self.parse = parse
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return self.parse(value, "value")
        except ValidationError as error:
            # The parser's message for its one parameter, as a form error. It may quote the
            # client's text, so it goes in as a parameter: django-filter formats the message
            # with `%`, and a quoted "%" must not be read as a format.
            raise forms.ValidationError(
                "%(message)s", params={"message": str(error.detail["value"])}
            ) from None


class ParsedFilter(django_filters.Filter):
    """A FilterSet parameter read by a parser; the FilterSet decides what it selects.
    `schema_type` and the help text are what the OpenAPI document says of it."""

    field_class = ParsedField
    schema_type = "string"

    def __init__(self, parse, schema=None, **kwargs):
        kwargs.setdefault("method", "filter_nothing")
        super().__init__(parse=parse, **kwargs)
        # The bounds and shape the parser enforces, so that the schema refuses what it refuses.
        schema = {"type": self.schema_type, **(schema or {})}
        if kwargs.get("help_text"):
            schema["description"] = str(kwargs["help_text"])
        extend_schema_field(schema)(self)


class IntegerFilter(ParsedFilter):
    schema_type = "integer"

    def __init__(self, minimum=None, maximum=MAX_INTEGER, clamp=False, **kwargs):
        def parse(value, name):
            return parse_int(value, name, minimum=minimum, maximum=maximum, clamp=clamp)

        bounds = {"minimum": minimum, "maximum": maximum}
        schema = {key: value for key, value in bounds.items() if value is not None}
        super().__init__(parse, schema, **kwargs)


class NumberFilter(ParsedFilter):
    schema_type = "number"

    def __init__(self, low, high, **kwargs):
        schema = {"minimum": low, "maximum": high}
        super().__init__(lambda v, n: parse_number(v, n, low=low, high=high), schema, **kwargs)


class BooleanFilter(ParsedFilter):
    schema_type = "boolean"

    def __init__(self, **kwargs):
        super().__init__(parse_bool, **kwargs)


class ListFilter(ParsedFilter):
    """Comma-separated values (from `choices` when given)."""

    def __init__(self, choices=None, **kwargs):
        schema = None
        if choices:
            one = "|".join(choices)
            schema = {"pattern": rf"^(({one})(,({one}))*)?$"}
        super().__init__(lambda v, n: parse_list(v, n, choices), schema, **kwargs)


def numbers_pattern(count):
    """A regular expression of `count` comma-separated decimal numbers (or nothing: an empty
    parameter is an absent one), for the schema."""
    number = r"-?[0-9]+(\.[0-9]+)?"
    return rf"^({number}(,{number}){{{count - 1}}})?$"


class BBoxFilter(ParsedFilter):
    """minlon,minlat,maxlon,maxlat in EPSG:4326 -> a Polygon."""

    def __init__(self, **kwargs):
        super().__init__(lambda v, n: parse_bbox(v, n), {"pattern": numbers_pattern(4)}, **kwargs)


class PointFilter(ParsedFilter):
    """lon,lat in EPSG:4326 -> (lon, lat)."""

    def __init__(self, **kwargs):
        super().__init__(lambda v, n: parse_point(v, n), {"pattern": numbers_pattern(2)}, **kwargs)


class ParsedFilterSet(django_filters.FilterSet):
    """A FilterSet whose ParsedFilters only parse; filter_queryset does the selecting."""

    def filter_nothing(self, queryset, name, value):
        return queryset
