"""The OpenAPI 3.0 definition of /ogc/ (conformance class oas30): built from the same parameter
list and collections the views use, so it cannot drift from them."""

from django.conf import settings
from django.urls import reverse

from . import crs as crs_module
from .cql2 import FILTER_LANGS

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA_JSON = "application/schema+json"
DEFAULT_LIMIT = 100


def _param(name, description, schema, where="query", required=False, **extra):
    return {"name": name, "in": where, "description": description, "required": required,
            "schema": schema, **extra}  # fmt: skip


def _response(description, *media_types):
    return {"description": description, "content": {m: {"schema": {"type": "object"}}
                                                    for m in media_types}}  # fmt: skip


ERRORS = {
    "400": {"description": "Invalid or unknown parameter",
            "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}}},
    "404": {"description": "Not found",
            "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}}},
}  # fmt: skip


def openapi_document(server_url):
    crs_schema = {"type": "string", "format": "uri", "enum": crs_module.crs_uris()}
    f = _param("f", "Output format (default JSON; the Accept header works too)",
               {"type": "string", "enum": ["json", "html"]})  # fmt: skip
    collection_id = _param("collectionId", "Collection id", {"type": "string"}, "path", True)
    items_parameters = [
        f,
        _param("limit", "Items per page (larger values are clamped to the maximum)",
               {"type": "integer", "minimum": 1, "maximum": settings.OGC_MAX_LIMIT,
                "default": DEFAULT_LIMIT}, style="form", explode=False),
        _param("offset", "Items to skip (the next links carry it)",
               {"type": "integer", "minimum": 0, "default": 0}),
        _param("bbox", "minx,miny,maxx,maxy in bbox-crs (CRS84 by default)",
               {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
               style="form", explode=False),
        _param("bbox-crs", "CRS of bbox", crs_schema),
        _param("crs", "CRS of the returned geometries", crs_schema),
        _param("datetime", "RFC 3339 instant or interval", {"type": "string"}),
        _param("filter", "CQL2 filter over the queryables", {"type": "string"}),
        _param("filter-lang", "Filter language", {"type": "string", "enum": list(FILTER_LANGS),
                                                  "default": "cql2-text"}),
        _param("filter-crs", "CRS of the filter's geometry literals", crs_schema),
        _param("properties", "Comma-separated properties to return", {"type": "string"}),
    ]  # fmt: skip
    base = reverse("ogc:landing").rstrip("/")
    paths = {
        "/": {"get": {"summary": "Landing page", "operationId": "getLandingPage",
                      "parameters": [f], "responses": {"200": _response("Landing page", JSON,
                                                                        HTML)}}},
        "/conformance": {"get": {"summary": "Conformance classes",
                                 "operationId": "getConformanceDeclaration", "parameters": [f],
                                 "responses": {"200": _response("Conformance", JSON, HTML)}}},
        "/api": {"get": {"summary": "This API definition", "operationId": "getAPI",
                         "parameters": [f],
                         "responses": {"200": _response("OpenAPI 3.0", OPENAPI, HTML)}}},
        "/collections": {"get": {"summary": "Collections", "operationId": "getCollections",
                                 "parameters": [f],
                                 "responses": {"200": _response("Collections", JSON, HTML)}}},
        "/collections/{collectionId}": {"get": {
            "summary": "A collection", "operationId": "describeCollection",
            "parameters": [collection_id, f],
            "responses": {"200": _response("Collection", JSON, HTML), **ERRORS}}},
        "/collections/{collectionId}/queryables": {"get": {
            "summary": "What a filter may use", "operationId": "getQueryables",
            "parameters": [collection_id, f],
            "responses": {"200": _response("Queryables", SCHEMA_JSON, HTML), **ERRORS}}},
        "/collections/{collectionId}/items": {"get": {
            "summary": "Items of a collection", "operationId": "getFeatures",
            "parameters": [collection_id, *items_parameters],
            "responses": {"200": _response("Features", GEOJSON, HTML), **ERRORS}}},
        "/collections/{collectionId}/items/{featureId}": {"get": {
            "summary": "One item", "operationId": "getFeature",
            "parameters": [collection_id,
                           _param("featureId", "Item id", {"type": "string"}, "path", True),
                           _param("crs", "CRS of the returned geometry", crs_schema), f],
            "responses": {"200": _response("Feature", GEOJSON, HTML), **ERRORS}}},
    }  # fmt: skip
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Smart Cities of Belarus geoportal: OGC API - Features",
            "version": "1.0",
            "description": "Regions, cities and public map layers of the geoportal.",
            "license": {"name": "Open data; see each collection's licence"},
        },
        "servers": [{"url": server_url.rstrip("/") + base if base else server_url}],
        "paths": paths,
        "components": {"schemas": {"exception": {
            "type": "object", "required": ["code"],
            "properties": {"code": {"type": "string"}, "description": {"type": "string"},
                           "detail": {"type": "string"}}}}},
    }  # fmt: skip
