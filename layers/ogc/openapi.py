"""The OpenAPI 3.0 definition of /ogc/ (conformance class oas30): built from the parameter table
the views parse with (parameters.py), Features and Tiles paths alike, so it cannot drift."""

from django.urls import reverse

from ..tiles import MVT_CONTENT_TYPE
from . import transactions
from .parameters import crs_schema, format_parameter, items_parameters, parameter
from .responses import GEOJSON, HTML, JSON, OPENAPI, SCHEMA_JSON


def _response(description, *media_types):
    return {"description": description, "content": {m: {"schema": {"type": "object"}}
                                                    for m in media_types}}  # fmt: skip


ERRORS = {
    "400": {"description": "Invalid or unknown parameter",
            "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}}},
    "404": {"description": "Not found",
            "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}}},
}  # fmt: skip


def _get(summary, operation_id, parameters, response, errors=True):
    operation = {"summary": summary, "operationId": operation_id, "parameters": parameters,
                 "responses": {"200": response, **(ERRORS if errors else {})}}  # fmt: skip
    return {"get": operation}


def openapi_document(server_url):
    f = format_parameter()
    collection_id = parameter("collectionId", "Collection id", {"type": "string"}, "path", True)
    tms_id = parameter("tileMatrixSetId", "Tile matrix set id (WebMercatorQuad)",
                       {"type": "string", "enum": ["WebMercatorQuad"]}, "path", True)  # fmt: skip
    base = reverse("ogc:landing").rstrip("/")
    paths = {
        "/": _get("Landing page", "getLandingPage", [f],
                  _response("Landing page", JSON, HTML), errors=False),
        "/conformance": _get("Conformance classes", "getConformanceDeclaration", [f],
                             _response("Conformance", JSON, HTML), errors=False),
        "/api": _get("This API definition", "getAPI", [f],
                     _response("OpenAPI 3.0", OPENAPI, HTML), errors=False),
        "/collections": _get("Collections", "getCollections", [f],
                             _response("Collections", JSON, HTML), errors=False),
        "/collections/{collectionId}": _get(
            "A collection", "describeCollection", [collection_id, f],
            _response("Collection", JSON, HTML)),
        "/collections/{collectionId}/queryables": _get(
            "What a filter may use", "getQueryables", [collection_id, f],
            _response("Queryables", SCHEMA_JSON, HTML)),
        "/collections/{collectionId}/items": _get(
            "Items of a collection", "getFeatures", [collection_id, *items_parameters()],
            _response("Features", GEOJSON, HTML)),
        "/collections/{collectionId}/items/{featureId}": _get(
            "One item", "getFeature",
            [collection_id, parameter("featureId", "Item id", {"type": "string"}, "path", True),
             parameter("crs", "CRS of the returned geometry", crs_schema()), f],
            _response("Feature", GEOJSON, HTML)),
        # OGC API - Tiles: metadata here, the tiles themselves under /tiles/ (a templated link).
        "/collections/{collectionId}/tiles": _get(
            "Vector tilesets of a map layer", "getCollectionTileSets", [collection_id],
            _response("Tilesets", JSON)),
        "/collections/{collectionId}/tiles/{tileMatrixSetId}": _get(
            "A vector tileset (with the URL template of its Mapbox vector tiles)",
            "getCollectionTileSet", [collection_id, tms_id], _response("Tileset", JSON)),
        "/tileMatrixSets": _get("Tile matrix sets", "getTileMatrixSetsList", [],
                                _response("Tile matrix sets", JSON), errors=False),
        "/tileMatrixSets/{tileMatrixSetId}": _get(
            "A tile matrix set", "getTileMatrixSet", [tms_id], _response("Tile matrix set", JSON)),
    }  # fmt: skip
    components = {"schemas": {"exception": {
        "type": "object", "required": ["code"],
        "properties": {"code": {"type": "string"}, "description": {"type": "string"},
                       "detail": {"type": "string"}}}}}  # fmt: skip
    transactions.add_openapi_operations(paths, components)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Smart Cities of Belarus geoportal: OGC API - Features",
            "version": "1.0",
            "description": "Regions, cities and public map layers of the geoportal, and the "
            f"layers' vector tiles ({MVT_CONTENT_TYPE}).",
            "license": {"name": "Open data; see each collection's licence"},
        },
        "servers": [{"url": server_url.rstrip("/") + base if base else server_url}],
        "paths": paths,
        "components": components,
    }  # fmt: skip
