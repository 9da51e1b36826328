"""OGC API - Features at /ogc/: Part 1 Core (GeoJSON, HTML, OpenAPI 3.0), Part 2 CRS by
reference, Part 3 Filtering (queryables, CQL2 text and JSON).

Views are thin: they parse the request into an ItemsRequest (parse_items_request, which the tests
call directly), ask the collection's provider (layers/ogc_providers.py) and render JSON or HTML.
Feature pages are GeoJSON text built by PostGIS and joined, never Python geometries.
"""

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.exceptions import ValidationError

from geoportal.query_params import parse_bbox

from . import crs as crs_module
from .cql2 import FILTER_LANGS, GEOMETRY, filter_q
from .ogc_openapi import DEFAULT_LIMIT, GEOJSON, HTML, JSON, OPENAPI, SCHEMA_JSON, openapi_document
from .ogc_providers import LayerProvider, Selection, collection, collections

REL_QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
REL_CONFORMANCE = "http://www.opengis.net/def/rel/ogc/1.0/conformance"
REL_DATA = "http://www.opengis.net/def/rel/ogc/1.0/data"
REL_TILING_SCHEME = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
REL_TILING_SCHEMES = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
REL_TILESETS_VECTOR = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    # OGC API - Tiles for the layers' vector tiles (layers/ogc_tiles.py)
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
]
ITEMS_PARAMETERS = {
    "f", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "filter", "filter-lang",
    "filter-crs", "properties",
}  # fmt: skip


class OGCError(Exception):
    def __init__(self, status, code, description):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


def error_response(status, code, description):
    # OGC's exception schema wants code and description; "detail" keeps the portal's one format.
    body = {"code": code, "description": description, "detail": description}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _message(detail):
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_message(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_message(item) for item in detail)
    return str(detail)


def ogc_endpoint(view):
    """GET/HEAD only; bad input -> 400 and a missing resource -> 404, as JSON, never a 500."""

    @require_safe
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ValidationError as exc:
            return error_response(400, "InvalidParameterValue", _message(exc.detail))
        except OGCError as exc:
            return error_response(exc.status, exc.code, exc.description)
        except Http404 as exc:
            return error_response(404, "NotFound", str(exc) or _("Not found."))

    return wrapper


def output_format(request):
    """f= wins; else the Accept header; JSON when the client states no preference."""
    fmt = request.GET.get("f")
    if fmt is not None:
        fmt = fmt.lower()
        aliases = {"json": "json", "geojson": "json", "html": "html", GEOJSON: "json",
                   JSON: "json", HTML: "html"}  # fmt: skip
        if fmt not in aliases:
            raise ValidationError({"f": _("Supported formats: json, html.")})
        return aliases[fmt]
    accept = request.headers.get("Accept", "")
    html_at, json_at = accept.find(HTML), accept.find("json")
    if html_at >= 0 and (json_at < 0 or html_at < json_at):
        return "html"
    return "json"


def absolute(request, path, **query):
    url = request.build_absolute_uri(path)
    query = {key: value for key, value in query.items() if value is not None}
    return f"{url}?{urlencode(query)}" if query else url


def link(href, rel, media_type, title=""):
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def self_links(request, path, json_type=JSON, **query):
    """self and alternate links for a resource served as JSON and HTML."""
    fmt = output_format(request)
    json_link = link(absolute(request, path, f="json", **query), "self", json_type,
                     _("This document as JSON"))  # fmt: skip
    html_link = link(absolute(request, path, f="html", **query), "self", HTML,
                     _("This document as HTML"))  # fmt: skip
    if fmt == "json":
        html_link["rel"] = "alternate"
    else:
        json_link["rel"] = "alternate"
    return [json_link, html_link]


def respond(request, template, data, media_type=JSON, headers=None):
    if output_format(request) == "html":
        response = render(request, f"ogc/{template}", {"data": data})
    else:
        body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        response = HttpResponse(body, content_type=media_type)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


@ogc_endpoint
def landing(request):
    data = {
        "title": _("Smart Cities of Belarus geoportal: OGC API - Features"),
        "description": _(
            "Open geodata of the Smart Cities of Belarus programme: regions, cities and every "
            "public map layer, as OGC API - Features."
        ),
        "links": self_links(request, reverse("ogc:landing"))
        + [
            link(absolute(request, reverse("ogc:api"), f="json"), "service-desc", OPENAPI,
                 _("The API definition (OpenAPI 3.0)")),
            link(absolute(request, reverse("ogc:api"), f="html"), "service-doc", HTML,
                 _("The API documentation")),
            link(absolute(request, reverse("ogc:conformance")), "conformance", JSON,
                 _("Conformance classes")),
            link(absolute(request, reverse("ogc:conformance")), REL_CONFORMANCE, JSON,
                 _("Conformance classes")),
            link(absolute(request, reverse("ogc:collections")), "data", JSON, _("Collections")),
            link(absolute(request, reverse("ogc:collections")), REL_DATA, JSON, _("Collections")),
            link(absolute(request, reverse("ogc:tile_matrix_sets")), REL_TILING_SCHEMES, JSON,
                 _("Tile matrix sets")),
        ],
    }  # fmt: skip
    return respond(request, "landing.html", data)


swagger_ui = SpectacularSwaggerView.as_view(url="/ogc/api?f=json", title="OGC API - Features")


@ogc_endpoint
def api_definition(request):
    """The OpenAPI 3.0 document; its HTML form is Swagger UI (served locally) reading it."""
    if output_format(request) == "html":
        return swagger_ui(request)
    document = openapi_document(request.build_absolute_uri("/"))
    return HttpResponse(json.dumps(document), content_type=OPENAPI)


@ogc_endpoint
def conformance(request):
    data = {"conformsTo": CONFORMANCE}
    return respond(request, "conformance.html", data)


def collection_json(request, provider):
    path = reverse("ogc:collection", args=[provider.id])
    items = reverse("ogc:items", args=[provider.id])
    extent = provider.extent()
    data = {
        "id": provider.id,
        "title": str(provider.title),
        "description": str(provider.description),
        "keywords": provider.keywords,
        "itemType": "feature",
        "crs": crs_module.crs_uris(),
        "storageCrs": crs_module.CRS84,
        "links": [
            link(absolute(request, path, f="json"), "self", JSON, str(provider.title)),
            link(absolute(request, path, f="html"), "alternate", HTML, str(provider.title)),
            link(absolute(request, items, f="json"), "items", GEOJSON, _("Items as GeoJSON")),
            link(absolute(request, items, f="html"), "items", HTML, _("Items as HTML")),
            link(absolute(request, reverse("ogc:queryables", args=[provider.id])),
                 REL_QUERYABLES, SCHEMA_JSON, _("Queryables")),
        ],
    }  # fmt: skip
    if isinstance(provider, LayerProvider):
        data["links"].append(
            link(absolute(request, reverse("ogc:tilesets", args=[provider.id])),
                 REL_TILESETS_VECTOR, JSON, _("Vector tilesets"))
        )  # fmt: skip
    if extent:
        data["extent"] = {"spatial": {"bbox": [extent], "crs": crs_module.CRS84}}
    return data


@ogc_endpoint
def collection_list(request):
    data = {
        "links": self_links(request, reverse("ogc:collections")),
        "collections": [collection_json(request, p) for p in collections(request.user)],
        "crs": crs_module.crs_uris(),
    }
    return respond(request, "collections.html", data)


def get_provider(request, collection_id):
    provider = collection(request.user, collection_id)
    if provider is None:
        raise Http404(_("No collection %(id)s.") % {"id": collection_id})
    return provider


@ogc_endpoint
def collection_detail(request, collection_id):
    provider = get_provider(request, collection_id)
    data = collection_json(request, provider)
    data["links"] = self_links(request, reverse("ogc:collection", args=[provider.id])) + [
        item for item in data["links"] if item["rel"] not in ("self", "alternate")
    ]
    return respond(request, "collection.html", data)


@ogc_endpoint
def queryables(request, collection_id):
    provider = get_provider(request, collection_id)
    path = reverse("ogc:queryables", args=[provider.id])
    data = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": absolute(request, path),
        "type": "object",
        "title": str(provider.title),
        "properties": {name: q.schema() for name, q in provider.queryables().items()},
        "additionalProperties": False,
    }
    return respond(request, "queryables.html", data, SCHEMA_JSON)


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
        return {
            "srid": self.crs.srid,
            "flip_axes": self.crs.northing_first,
            "geographic": self.crs.geographic,
        }


# PostgreSQL's OFFSET is a bigint; anything near it is no real page.
MAX_OFFSET = 2**62


def _integer(params, name, default, minimum, maximum=MAX_OFFSET):
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: _("Expected an integer.")}) from None
    if value < minimum:
        raise ValidationError({name: _("Must be at least %(min)s.") % {"min": minimum}})
    if maximum is not None and value > maximum:
        raise ValidationError({name: _("Must be at most %(max)s.") % {"max": maximum}})
    return value


def parse_bbox_in(value, crs):
    """bbox in `crs` (4 or 6 numbers) -> Polygon with that SRID, axes in the CRS's order."""
    if crs.uri == crs_module.CRS84:
        parts = value.split(",")
        if len(parts) == 6:
            value = ",".join([parts[0], parts[1], parts[3], parts[4]])
        return parse_bbox(value)
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise ValidationError({"bbox": _("Expected four numbers.")})
    if crs.northing_first:
        numbers = [numbers[1], numbers[0], numbers[3], numbers[2]]
    if numbers[0] > numbers[2] or numbers[1] > numbers[3]:
        raise ValidationError({"bbox": _("The minimum must not exceed the maximum.")})
    box = Polygon.from_bbox(numbers)
    box.srid = crs.srid
    return box


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


def parse_items_request(params, provider):
    """The query of an /items request -> ItemsRequest; a ValidationError (400) for any bad or
    unknown parameter, and `limit` clamped to settings.OGC_MAX_LIMIT."""
    queryables = provider.queryables()
    property_params = {name for name, q in queryables.items() if q.type != GEOMETRY}
    unknown = sorted(set(params) - ITEMS_PARAMETERS - property_params)
    if unknown:
        raise ValidationError(
            {", ".join(unknown): _("Unknown query parameter. Known: %(list)s")
             % {"list": ", ".join(sorted(ITEMS_PARAMETERS | property_params))}}
        )  # fmt: skip
    request = ItemsRequest()
    limit = _integer(params, "limit", DEFAULT_LIMIT, 1, maximum=None)
    request.limit = min(limit, settings.OGC_MAX_LIMIT)
    request.offset = _integer(params, "offset", 0, 0)
    if params.get("crs"):
        request.crs = crs_module.parse_crs(params["crs"])
    bbox_crs = crs_module.BY_URI[crs_module.CRS84]
    if params.get("bbox-crs"):
        bbox_crs = crs_module.parse_crs(params["bbox-crs"], "bbox-crs")
    selection = request.selection
    if params.get("bbox"):
        selection.bbox = parse_bbox_in(params["bbox"], bbox_crs)
    elif params.get("bbox-crs"):
        raise ValidationError({"bbox-crs": _("bbox-crs needs a bbox.")})
    if params.get("datetime"):
        parse_datetime_param(params["datetime"])
    if params.get("filter-lang") and params["filter-lang"] not in FILTER_LANGS:
        raise ValidationError(
            {"filter-lang": _("Supported: %(list)s") % {"list": ", ".join(FILTER_LANGS)}}
        )
    if params.get("filter"):
        filter_crs = crs_module.BY_URI[crs_module.CRS84]
        if params.get("filter-crs"):
            filter_crs = crs_module.parse_crs(params["filter-crs"], "filter-crs")
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


def feature_collection_text(features, *, matched, returned, links):
    """The FeatureCollection around already-built Feature texts."""
    head = {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": returned,
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
    }
    meta = json.dumps(head, ensure_ascii=False)[1:-1]
    return f'{{{meta},"features":[{",".join(features)}]}}'


@ogc_endpoint
def items(request, collection_id):
    provider = get_provider(request, collection_id)
    query = parse_items_request(request.GET, provider)
    fmt = output_format(request)
    features = list(
        provider.features(query.selection, offset=query.offset, limit=query.limit,
                          select=query.properties, **query.geometry_options)
    )  # fmt: skip
    matched = provider.count(query.selection)
    path = reverse("ogc:items", args=[provider.id])
    page = {**query.passthrough, "limit": query.limit}
    links = self_links(request, path, GEOJSON, offset=query.offset or None, **page)
    json_type = GEOJSON if fmt == "json" else HTML
    fmt_param = "json" if fmt == "json" else "html"
    if query.offset + len(features) < matched:
        links.append(link(absolute(request, path, f=fmt_param, offset=query.offset + query.limit,
                                   **page), "next", json_type, _("Next page")))  # fmt: skip
    if query.offset > 0:
        previous = max(query.offset - query.limit, 0)
        links.append(link(absolute(request, path, f=fmt_param, offset=previous or None, **page),
                          "prev", json_type, _("Previous page")))  # fmt: skip
    links.append(
        link(absolute(request, reverse("ogc:collection", args=[provider.id])), "collection",
             JSON, str(provider.title))
    )  # fmt: skip
    headers = {"Content-Crs": f"<{query.crs.uri}>"}
    body = feature_collection_text(features, matched=matched, returned=len(features), links=links)
    if fmt == "html":
        data = json.loads(body)
        data["collection"] = collection_json(request, provider)
        return respond(request, "items.html", data, headers=headers)
    return respond(request, "items.html", body, GEOJSON, headers)


@ogc_endpoint
def item(request, collection_id, feature_id):
    provider = get_provider(request, collection_id)
    unknown = sorted(set(request.GET) - {"f", "crs"})
    if unknown:
        raise ValidationError({", ".join(unknown): _("Unknown query parameter.")})
    crs = crs_module.parse_crs(request.GET["crs"]) if request.GET.get("crs") else (
        crs_module.BY_URI[crs_module.CRS84]
    )  # fmt: skip
    text = provider.feature(
        feature_id, srid=crs.srid, flip_axes=crs.northing_first, geographic=crs.geographic
    )
    if text is None:
        raise Http404(_("No item %(id)s in this collection.") % {"id": feature_id})
    path = reverse("ogc:item", args=[provider.id, feature_id])
    links = self_links(request, path, GEOJSON) + [
        link(absolute(request, reverse("ogc:collection", args=[provider.id])), "collection",
             JSON, str(provider.title)),
    ]  # fmt: skip
    body = f'{text[:-1]},"links":{json.dumps(links, ensure_ascii=False)}}}'
    headers = {"Content-Crs": f"<{crs.uri}>"}
    if output_format(request) == "html":
        data = json.loads(body)
        data["collection"] = collection_json(request, provider)
        return respond(request, "item.html", data, headers=headers)
    return respond(request, "item.html", body, GEOJSON, headers)
