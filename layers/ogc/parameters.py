"""The query parameters of /items, in one table: the OpenAPI document (openapi.py) describes
them from it and parse_items_request knows them by it, so the two cannot drift. Parsing turns a
request's query into an ItemsRequest, which the tests call directly.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from geoportal.query_params import (
    MAX_INTEGER,
    parse_bbox,
    parse_bool,
    parse_int,
    parse_number,
    single,
)

from . import crs as crs_module
from .cql2 import FILTER_LANGS, GEOMETRY, filter_q
from .providers import Selection, TimeInterval

DEFAULT_LIMIT = 100
# filter-lang values older clients send for CQL2 text: GDAL before 3.7 knows only "cql-text" and
# filters on the server only when the API lists it.
LEGACY_FILTER_LANGS = {"cql-text": "cql2-text"}


def parameter(name, description, schema, where="query", required=False, **extra):
    """One OpenAPI 3.0 parameter object."""
    return {"name": name, "in": where, "description": description, "required": required,
            "schema": schema, **extra}  # fmt: skip


def crs_schema():
    return {"type": "string", "format": "uri", "enum": crs_module.crs_uris()}


def format_parameter():
    return parameter("f", "Output format (default JSON; the Accept header works too)",
                     {"type": "string", "enum": ["json", "html"]})  # fmt: skip


def items_parameters():
    """Every query parameter /items takes besides the queryables, as OpenAPI objects."""
    return [
        format_parameter(),
        limit_parameter(),
        parameter("offset", "Items to skip (the next links carry it)",
                  {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER, "default": 0}),
        parameter("bbox", "minx,miny,maxx,maxy in bbox-crs (CRS84 by default); in degrees, "
                  "minx > maxx crosses the antimeridian",
                  {"type": "array", "oneOf": [{"minItems": 4, "maxItems": 4},
                                              {"minItems": 6, "maxItems": 6}],
                   "items": {"type": "number"}},
                  style="form", explode=False),
        parameter("bbox-crs", "CRS of bbox", crs_schema()),
        parameter("crs", "CRS of the returned geometries", crs_schema()),
        parameter("datetime", "RFC 3339 instant or interval (a/b, ../b, a/..): the items whose "
                  "time (the queryable with x-ogc-role primary-instant) falls in it; collections "
                  "without a time keep every item", {"type": "string"}),
        parameter("filter", "CQL2 filter over the queryables", {"type": "string"}),
        parameter("filter-lang", "Filter language (cql-text: the name older GDAL sends for "
                  "CQL2 text)", {"type": "string", "default": "cql2-text",
                                 "enum": [*FILTER_LANGS, *LEGACY_FILTER_LANGS]}),
        parameter("filter-crs", "CRS of the filter's geometry literals", crs_schema()),
        parameter("properties", "Comma-separated properties to return (each a queryable)",
                  {"type": "array", "items": {"type": "string"}}, style="form", explode=False),
    ]  # fmt: skip


def limit_parameter():
    """`limit`, which QGIS and GDAL look for under components/parameters to size their pages."""
    return parameter("limit", "Items per page (larger values are clamped to the maximum)",
                     {"type": "integer", "minimum": 1, "maximum": settings.OGC_MAX_LIMIT,
                      "default": DEFAULT_LIMIT}, style="form", explode=False)  # fmt: skip


@dataclass
class ItemsRequest:
    """A parsed /items request."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    crs: crs_module.CRS = field(default_factory=lambda: crs_module.BY_URI[crs_module.CRS84])
    selection: Selection = field(default_factory=Selection)
    properties: list | None = None
    passthrough: dict = field(default_factory=dict)  # the query to repeat in next/prev links

    @property
    def geometry_options(self):
        return self.crs.geometry_options


def parse_bbox_in(value, crs):
    """bbox in `crs` (4 or 6 numbers) -> Polygon with that SRID, axes in the CRS's order; in
    degrees, a west edge east of the east edge crosses the antimeridian (Part 1)."""
    box = parse_bbox(
        value, srid=crs.srid, northing_first=crs.northing_first, geographic=crs.geographic,
        antimeridian=True,
    )  # fmt: skip
    return crs_module.check_in_domain(box, "bbox")


def check_single_values(params):
    """Each parameter once: a 400 otherwise (which of two values would count is a guess)."""
    for name in params:
        single(params, name)


def parse_queryable_value(value, queryable):
    """A queryable's `name=value`, checked against its type (a 400 otherwise); the value itself
    is compared as text."""
    checks = {
        "integer": lambda: parse_int(value, queryable.name, minimum=-MAX_INTEGER),
        "number": lambda: parse_number(value, queryable.name, low=-math.inf, high=math.inf),
        "boolean": lambda: parse_bool(value, queryable.name),
    }
    if queryable.format in ("date", "date-time"):
        _instant(value, queryable.name)
    elif queryable.type in checks and checks[queryable.type]() is None:
        raise ValidationError({queryable.name: _("Expected a value.")})
    return value


def _instant(text, name="datetime"):
    """One end of a datetime value -> (start, end of that instant or day); a 400 otherwise.
    A date covers its whole day (UTC); a time without an offset is taken as UTC."""
    try:
        # A bare date first: Python reads "2025-01-01" as a date-time too, at midnight.
        day = parse_date(text) if len(text) == 10 else None
        moment = None if day else parse_datetime(text)
    except ValueError:
        moment = day = None
    if moment is not None:
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return moment, moment
    if day is not None:
        start = datetime.combine(day, time.min, tzinfo=UTC)
        return start, start + timedelta(days=1)
    raise ValidationError({name: _("Expected an RFC 3339 date or date-time.")})


def parse_datetime_param(value):
    """An instant or an interval (a/b, ../b, a/..) in RFC 3339 -> TimeInterval; a 400 for
    anything else, and for an interval that ends before it starts."""
    parts = value.split("/")
    if len(parts) > 2 or (len(parts) == 2 and all(part in ("", "..") for part in parts)):
        raise ValidationError({"datetime": _("Expected an RFC 3339 instant or interval.")})
    if len(parts) == 1:
        start, end = _instant(parts[0])
        return TimeInterval(start, end, end_inclusive=start == end)
    start = None if parts[0] in ("", "..") else _instant(parts[0])[0]
    end, end_inclusive = None, True
    if parts[1] not in ("", ".."):
        end_start, end = _instant(parts[1])
        end_inclusive = end_start == end
    if (
        start is not None
        and end is not None
        and (end < start or (end == start and not end_inclusive))
    ):
        raise ValidationError({"datetime": _("The interval ends before it starts.")})
    return TimeInterval(start, end, end_inclusive)


def parse_crs_param(params, name):
    """The CRS a parameter names, CRS84 when absent (given but empty is a 400)."""
    if name in params:
        return crs_module.parse_crs(params[name], name)
    return crs_module.BY_URI[crs_module.CRS84]


def parse_items_request(params, provider):
    """The query of an /items request -> ItemsRequest; a ValidationError (400) for any bad or
    unknown parameter, and `limit` clamped to settings.OGC_MAX_LIMIT."""
    queryables = provider.queryables()
    property_params = {name for name, q in queryables.items() if q.type != GEOMETRY}
    known = {p["name"] for p in items_parameters()} | property_params
    unknown = sorted(set(params) - known)
    if unknown:
        raise ValidationError(
            {", ".join(unknown): _("Unknown query parameter. Known: %(list)s")
             % {"list": ", ".join(sorted(known))}}
        )  # fmt: skip
    check_single_values(params)
    request = ItemsRequest()
    request.limit = parse_int(params.get("limit"), "limit", default=DEFAULT_LIMIT, minimum=1,
                              maximum=settings.OGC_MAX_LIMIT, clamp=True)  # fmt: skip
    request.offset = parse_int(params.get("offset"), "offset", default=0, minimum=0)
    request.crs = parse_crs_param(params, "crs")
    selection = request.selection
    bbox_crs = parse_crs_param(params, "bbox-crs")
    if "bbox" in params:
        selection.bbox = parse_bbox_in(params["bbox"], bbox_crs)
    if params.get("datetime"):
        selection.time = parse_datetime_param(params["datetime"])
    lang = params.get("filter-lang")
    lang = LEGACY_FILTER_LANGS.get(lang, lang)
    if lang is not None and lang not in FILTER_LANGS:
        raise ValidationError(
            {"filter-lang": _("Supported: %(list)s") % {"list": ", ".join(FILTER_LANGS)}}
        )
    filter_crs = parse_crs_param(params, "filter-crs")
    if params.get("filter"):
        selection.filter = filter_q(
            params["filter"], queryables, provider.spatial, lang=lang,
            srid=filter_crs.srid, flip_axes=filter_crs.northing_first,
        )  # fmt: skip
    selection.properties = {
        name: parse_queryable_value(params[name], queryables[name])
        for name in property_params
        if name in params
    }
    if params.get("properties"):
        request.properties = parse_properties(params["properties"], property_params)
    request.passthrough = {
        key: params[key] for key in params if key not in ("offset", "limit", "f")
    }
    return request


def parse_properties(value, known):
    """properties=a,b -> the names, each one of `known`; an unknown name is a 400 (silently
    returning no such property would hide a typo)."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    if unknown := [name for name in names if name not in known]:
        raise ValidationError(
            {"properties": _("Unknown property %(names)s. Properties: %(list)s")
             % {"names": ", ".join(unknown), "list": ", ".join(sorted(known))}}
        )  # fmt: skip
    return names
