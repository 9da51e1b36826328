"""OGC API - Features at /ogc/: Part 1 Core (GeoJSON, HTML, OpenAPI 3.0), Part 2 CRS by
reference, Part 3 Filtering (queryables, CQL2 text and JSON), Part 4 Create, Replace, Update,
Delete on the map layers (transactions.py: each endpoint names the methods it writes with).

Views are thin: they parse the request into an ItemsRequest (parameters.py), ask the
collection's provider (providers.py) and render JSON or HTML (responses.py).
Feature pages are GeoJSON text built by PostGIS and joined, never Python geometries.
"""

import json
from datetime import UTC, datetime

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.exceptions import ValidationError

from .. import access
from ..catalogue import keyword_labels
from . import crs as crs_module
from . import transactions
from .openapi import openapi_document
from .parameters import parse_crs_param, parse_items_request
from .providers import LayerProvider, collection_or_404, collections
from .responses import (
    GEOJSON,
    HTML,
    JSON,
    OPENAPI,
    REL_CONFORMANCE,
    REL_DATA,
    REL_QUERYABLES,
    REL_TILESETS_VECTOR,
    REL_TILING_SCHEMES,
    SCHEMA_JSON,
    absolute,
    error_response,
    link,
    ogc_endpoint,
    output_format,
    respond,
    self_links,
)

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
    # OGC API - Tiles for the layers' vector tiles (tiles.py)
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    *transactions.CONFORMANCE,
]


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


swagger_ui = SpectacularSwaggerSplitView.as_view(url="/ogc/api?f=json", title="OGC API - Features")


@ogc_endpoint
def api_definition(request):
    """The OpenAPI 3.0 document; its HTML form is Swagger UI (served locally) reading it."""
    # Swagger UI's page, and its start-up script (?f=html&script=), which the page loads.
    if output_format(request) == "html" or "script" in request.GET:
        return swagger_ui(request)
    document = openapi_document(request.build_absolute_uri("/"), collections(request.user))
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
        "keywords": keyword_labels(provider.keywords),
        "itemType": "feature",
        "crs": crs_module.crs_uris(),
        "storageCrs": crs_module.CRS84,
        "links": [
            link(absolute(request, path, f="json"), "self", JSON, str(provider.title)),
            link(absolute(request, path, f="html"), "alternate", HTML, str(provider.title)),
            # No query on the GeoJSON items link: GDAL appends "/<id>" to it to fetch one item.
            link(absolute(request, items), "items", GEOJSON, _("Items as GeoJSON")),
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


@ogc_endpoint
def collection_detail(request, collection_id):
    provider = collection_or_404(request.user, collection_id)
    data = collection_json(request, provider)
    data["links"] = self_links(request, reverse("ogc:collection", args=[provider.id])) + [
        item for item in data["links"] if item["rel"] not in ("self", "alternate")
    ]
    return respond(request, "collection.html", data)


@ogc_endpoint
def queryables(request, collection_id):
    provider = collection_or_404(request.user, collection_id)
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


def feature_collection_text(features, *, matched, returned, links):
    """The FeatureCollection around already-built Feature texts; without numberMatched when
    `matched` is None (not counted)."""
    head = {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": returned,
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
    }
    if matched is None:
        del head["numberMatched"]
    meta = json.dumps(head, ensure_ascii=False)[1:-1]
    return f'{{{meta},"features":[{",".join(features)}]}}'


@transactions.writable(POST=transactions.create_item)
@ogc_endpoint
@access.answered_again
def items(request, collection_id):
    provider = collection_or_404(request.user, collection_id, record=True)
    query = parse_items_request(request.GET, provider)
    fmt = output_format(request)
    features, matched = provider.page(
        query.selection, offset=query.offset, limit=query.limit, select=query.properties,
        **query.geometry_options,
    )  # fmt: skip
    path = reverse("ogc:items", args=[provider.id])
    page = {**query.passthrough, "limit": query.limit}
    links = self_links(request, path, GEOJSON, offset=query.offset or None, **page)
    json_type = GEOJSON if fmt == "json" else HTML
    fmt_param = "json" if fmt == "json" else "html"
    if matched is None:  # not counted: a full page may have a next one
        more = len(features) == query.limit
    else:
        more = query.offset + len(features) < matched
    if more:
        next_page = {**page, "limit": next_limit(query.limit, fmt)}
        links.append(link(absolute(request, path, f=fmt_param, offset=query.offset + query.limit,
                                   **next_page), "next", json_type, _("Next page")))  # fmt: skip
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
    return respond(request, "items.html", body, GEOJSON, headers, links=links)


def next_limit(limit, fmt):
    """The limit a JSON page's next link asks for: at least settings.OGC_NEXT_MIN_LIMIT. GDAL
    before 3.8 asks for 10 items a request whatever the API allows and then follows the next
    links; this is the one way a server can give it big pages (a copy of 22,477 settlements in
    23 requests instead of 2,248). Each page still holds at most what its own URL asks for; a
    client that wants small pages throughout sets offset and limit itself. HTML pages keep the
    visitor's page size."""
    if fmt != "json":
        return limit
    return min(max(limit, settings.OGC_NEXT_MIN_LIMIT), settings.OGC_MAX_LIMIT)


@transactions.writable(
    PUT=transactions.replace_item, PATCH=transactions.update_item, DELETE=transactions.delete_item
)
@ogc_endpoint
@access.answered_again
def item(request, collection_id, feature_id):
    provider = collection_or_404(request.user, collection_id, record=True)
    unknown = sorted(set(request.GET) - {"f", "crs"})
    if unknown:
        raise ValidationError({", ".join(unknown): _("Unknown query parameter.")})
    crs = parse_crs_param(request.GET, "crs")
    text, etag = provider.feature(feature_id, **crs.geometry_options)
    if text is None:
        raise Http404(_("No item %(id)s in this collection.") % {"id": feature_id})
    path = reverse("ogc:item", args=[provider.id, feature_id])
    links = self_links(request, path, GEOJSON) + [
        link(absolute(request, reverse("ogc:collection", args=[provider.id])), "collection",
             JSON, str(provider.title)),
    ]  # fmt: skip
    body = f'{text[:-1]},"links":{json.dumps(links, ensure_ascii=False)}}}'
    headers = {"Content-Crs": f"<{crs.uri}>"}
    if etag:  # Part 4: a client sends it back in If-Match when it replaces or updates the item
        headers["ETag"] = etag
    if output_format(request) == "html":
        data = json.loads(body)
        data["collection"] = collection_json(request, provider)
        return respond(request, "item.html", data, headers=headers)
    return respond(request, "item.html", body, GEOJSON, headers, links=links)


@csrf_exempt  # any method: the 404, not a CSRF page
def not_found(request):
    """Any other path under /ogc/: a 404 in the OGC exception format, not Django's HTML page."""
    return error_response(404, "NotFound", _("No such resource: %(path)s") % {"path": request.path})
