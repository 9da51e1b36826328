"""The query parameters of /items, in one table: the OpenAPI document (openapi.py) describes
them from it and parse_items_request knows them by it, so the two cannot drift. Parsing turns a
request's query into an ItemsRequest, which the tests call directly.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from geoportal.query_params import parse_bbox, parse_int

from . import crs as crs_module
from .cql2 import FILTER_LANGS, GEOMETRY, filter_q
from .providers import Selection

DEFAULT_LIMIT = 100


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
        parameter("limit", "Items per page (larger values are clamped to the maximum)",
                  {"type": "integer", "minimum": 1, "maximum": settings.OGC_MAX_LIMIT,
                   "default": DEFAULT_LIMIT}, style="form", explode=False),
        parameter("offset", "Items to skip (the next links carry it)",
                  {"type": "integer", "minimum": 0, "default": 0}),
        parameter("bbox", "minx,miny,maxx,maxy in bbox-crs (CRS84 by default)",
                  {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
                  style="form", explode=False),
        parameter("bbox-crs", "CRS of bbox", crs_schema()),
        parameter("crs", "CRS of the returned geometries", crs_schema()),
        parameter("datetime", "RFC 3339 instant or interval", {"type": "string"}),
        parameter("filter", "CQL2 filter over the queryables", {"type": "string"}),
        parameter("filter-lang", "Filter language",
                  {"type": "string", "enum": list(FILTER_LANGS), "default": "cql2-text"}),
        parameter("filter-crs", "CRS of the filter's geometry literals", crs_schema()),
        parameter("properties", "Comma-separated properties to return", {"type": "string"}),
    ]  # fmt: skip


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
    """bbox in `crs` (4 or 6 numbers) -> Polygon with that SRID, axes in the CRS's order."""
    box = parse_bbox(
        value, srid=crs.srid, northing_first=crs.northing_first, geographic=crs.geographic
    )
    return crs_module.check_in_domain(box, "bbox")


def parse_datetime_param(value):
    """An instant or an interval (a/b, ../b, a/..) in RFC 3339; a 400 otherwise. The collections
    carry no time property yet, so a valid value selects every item (Part 1 leaves it to us)."""
    for part in value.split("/"):
        if part in ("..", "") and "/" in value:
            continue
        try:
            ok = parse_datetime(part) or parse_date(part)
        except ValueError:
            ok = None
        if not ok:
            raise ValidationError({"datetime": _("Expected an RFC 3339 instant or interval.")})
    return value


def parse_crs_param(params, name):
    """The CRS a parameter names, CRS84 when absent."""
    if params.get(name):
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
    request = ItemsRequest()
    request.limit = parse_int(params.get("limit"), "limit", default=DEFAULT_LIMIT, minimum=1,
                              maximum=settings.OGC_MAX_LIMIT, clamp=True)  # fmt: skip
    request.offset = parse_int(params.get("offset"), "offset", default=0, minimum=0)
    request.crs = parse_crs_param(params, "crs")
    selection = request.selection
    if params.get("bbox"):
        selection.bbox = parse_bbox_in(params["bbox"], parse_crs_param(params, "bbox-crs"))
    elif params.get("bbox-crs"):
        raise ValidationError({"bbox-crs": _("bbox-crs needs a bbox.")})
    if params.get("datetime"):
        parse_datetime_param(params["datetime"])
    if params.get("filter-lang") and params["filter-lang"] not in FILTER_LANGS:
        raise ValidationError(
            {"filter-lang": _("Supported: %(list)s") % {"list": ", ".join(FILTER_LANGS)}}
        )
    if params.get("filter"):
        filter_crs = parse_crs_param(params, "filter-crs")
        selection.filter = filter_q(
            params["filter"], queryables, provider.spatial, lang=params.get("filter-lang"),
            srid=filter_crs.srid, flip_axes=filter_crs.northing_first,
        )  # fmt: skip
    selection.properties = {name: params[name] for name in property_params if name in params}
    if params.get("properties"):
        request.properties = [name for name in params["properties"].split(",") if name]
    request.passthrough = {
        key: params[key] for key in params if key not in ("offset", "limit", "f")
    }
    return request
