"""The OpenAPI 3.0 definition of /ogc/ (conformance class oas30): built from the parameter table
the views parse with (parameters.py), Features and Tiles paths alike, so it cannot drift, and
with the shapes of what is served, every status with its error body.

Besides the generic /collections/{collectionId}/items, each collection the user may see has its
own items path listing its queryables as parameters (OGC's "example 2" style): GDAL before 3.7
filters on the server only on properties it finds there, and QGIS reads them as simple
queryables. `limit` is a shared parameter (components/parameters/limit), where QGIS looks for
the page sizes it may ask for.
"""

from django.urls import reverse

from geoportal.query_params import MAX_INTEGER

from ..tiles import MVT_CONTENT_TYPE
from . import transactions
from .cql2 import GEOMETRY
from .parameters import crs_schema, format_parameter, items_parameters, parameter
from .providers import LayerProvider
from .responses import GEOJSON, HTML, JSON, OPENAPI, SCHEMA_JSON, error_description


def ref(kind, name):
    return {"$ref": f"#/components/{kind}/{name}"}


def _array(items):
    return {"type": "array", "items": items}


SCHEMAS = {
    "link": {
        "type": "object", "required": ["href", "rel"],
        "properties": {"href": {"type": "string"}, "rel": {"type": "string"},
                       "type": {"type": "string"}, "title": {"type": "string"},
                       "templated": {"type": "boolean"}},
    },
    "exception": {
        "type": "object", "required": ["code"],
        "properties": {"code": {"type": "string"}, "description": {"type": "string"},
                       "detail": {"type": "string"}},
    },
    "landingPage": {
        "type": "object", "required": ["links"],
        "properties": {"title": {"type": "string"}, "description": {"type": "string"},
                       "links": _array(ref("schemas", "link"))},
    },
    "confClasses": {
        "type": "object", "required": ["conformsTo"],
        "properties": {"conformsTo": _array({"type": "string"})},
    },
    "extent": {
        "type": "object",
        "properties": {"spatial": {
            "type": "object",
            "properties": {"bbox": _array({"type": "array", "minItems": 4, "maxItems": 6,
                                           "items": {"type": "number"}}),
                           "crs": {"type": "string"}},
        }},
    },
    "collection": {
        "type": "object", "required": ["id", "links"],
        "properties": {
            "id": {"type": "string"}, "title": {"type": "string"},
            "description": {"type": "string"}, "keywords": _array({"type": "string"}),
            "itemType": {"type": "string"}, "crs": _array({"type": "string"}),
            "storageCrs": {"type": "string"}, "extent": ref("schemas", "extent"),
            "links": _array(ref("schemas", "link")),
        },
    },
    "collections": {
        "type": "object", "required": ["links", "collections"],
        "properties": {"links": _array(ref("schemas", "link")),
                       "collections": _array(ref("schemas", "collection")),
                       "crs": _array({"type": "string"})},
    },
    "queryables": {
        "type": "object", "required": ["type", "properties"],
        "properties": {"type": {"type": "string", "enum": ["object"]},
                       "properties": {"type": "object"}},
    },
    "geometryGeoJSON": {
        "type": "object", "required": ["type"], "nullable": True,
        "properties": {
            "type": {"type": "string", "enum": [
                "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                "MultiPolygon", "GeometryCollection"]},
            "coordinates": {"type": "array"}, "geometries": {"type": "array"},
        },
    },
    "featureGeoJSON": {
        "type": "object", "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "geometry": ref("schemas", "geometryGeoJSON"),
            "properties": {"type": "object", "nullable": True},
            "links": _array(ref("schemas", "link")),
        },
    },
    "featureCollectionGeoJSON": {
        "type": "object", "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": _array(ref("schemas", "featureGeoJSON")),
            "links": _array(ref("schemas", "link")),
            "timeStamp": {"type": "string", "format": "date-time"},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0},
        },
    },
    "tileSets": {
        "type": "object", "required": ["tilesets"],
        "properties": {"links": _array(ref("schemas", "link")),
                       "tilesets": _array({"type": "object", "required": ["dataType", "links"]})},
    },
    "tileSet": {
        "type": "object", "required": ["dataType", "crs", "links"],
        "properties": {"dataType": {"type": "string", "enum": ["vector"]},
                       "crs": {"type": "string"}, "links": _array(ref("schemas", "link")),
                       "layers": {"type": "array"}, "boundingBox": {"type": "object"}},
    },
    "tileMatrixSets": {
        "type": "object", "required": ["tileMatrixSets"],
        "properties": {"tileMatrixSets": _array({"type": "object", "required": ["id"]})},
    },
    "tileMatrixSet": {
        "type": "object", "required": ["id", "crs", "tileMatrices"],
        "properties": {"id": {"type": "string"}, "crs": {"type": "string"},
                       "tileMatrices": {"type": "array"}},
    },
}  # fmt: skip


RESPONSES = {
    "400": error_description("Invalid or unknown parameter"),
    "401": error_description("The token in the Authorization header is not valid"),
    "404": error_description("No such resource, or not visible to you"),
    "429": error_description("Too many requests (see the Retry-After header)"),
}


def _ok(description, schema, *media_types, html=True):
    content = {media: {"schema": ref("schemas", schema)} for media in media_types}
    if html:
        content[HTML] = {"schema": {"type": "string"}}
    return {"description": description, "content": content}


def _get(summary, operation_id, parameters, ok, *, not_found=True):
    responses = {"200": ok, "400": ref("responses", "400"), "401": ref("responses", "401")}
    if not_found:
        responses["404"] = ref("responses", "404")
    responses["429"] = ref("responses", "429")
    return {"get": {
        "summary": summary, "operationId": operation_id, "parameters": parameters,
        "responses": responses, "security": [{}, {"token": []}],
    }}  # fmt: skip


def _queryable_parameters(provider, taken):
    """Each queryable as `name=value` (equality, compared as text), as GDAL and QGIS read them."""
    for name, queryable in provider.queryables().items():
        if queryable.type == GEOMETRY or name in taken:
            continue
        schema = {"type": queryable.type}
        if queryable.format:
            schema["format"] = queryable.format
        if queryable.type == "integer":
            schema.update(minimum=-MAX_INTEGER, maximum=MAX_INTEGER)
        elif queryable.type == "string" and not queryable.format:
            schema["pattern"] = "^[^\\x00]*$"  # PostgreSQL text holds no NUL
        yield parameter(name, f"Items whose {name} equals the value", schema,
                        style="form", explode=False)  # fmt: skip


def collection_items_path(provider):
    """The items path of one collection: the shared parameters, its own `properties` choices,
    and its queryables."""
    shared = [ref("parameters", p["name"]) for p in items_parameters()
              if p["name"] != "properties"]  # fmt: skip
    names = sorted(n for n, q in provider.queryables().items() if q.type != GEOMETRY)
    properties = parameter(
        "properties", "Comma-separated properties to return",
        {"type": "array", "items": {"type": "string", "enum": names}} if names
        else {"type": "array", "maxItems": 0, "items": {"type": "string"}},
        style="form", explode=False,
    )  # fmt: skip
    taken = {p["name"] for p in items_parameters()}
    return _get(
        f"Items of {provider.id}",
        f"getFeatures-{provider.id}",
        [*shared, properties, *_queryable_parameters(provider, taken)],
        _ok("Features", "featureCollectionGeoJSON", GEOJSON),
        not_found=False,
    )


def openapi_document(server_url, providers):
    """The document for one user: `providers` are the collections they may see."""
    f = ref("parameters", "f")
    collection_id = parameter("collectionId", "Collection id", {"type": "string"}, "path", True)
    feature_id = parameter("featureId", "Item id", {"type": "string"}, "path", True)
    tms_id = parameter("tileMatrixSetId", "Tile matrix set id (WebMercatorQuad)",
                       {"type": "string", "enum": ["WebMercatorQuad"]}, "path", True)  # fmt: skip
    base = reverse("ogc:landing").rstrip("/")
    paths = {
        "/": _get("Landing page", "getLandingPage", [f],
                  _ok("Landing page", "landingPage", JSON), not_found=False),
        "/conformance": _get("Conformance classes", "getConformanceDeclaration", [f],
                             _ok("Conformance", "confClasses", JSON), not_found=False),
        "/api": _get("This API definition", "getAPI", [f], {
            "description": "OpenAPI 3.0 (its HTML form is Swagger UI)",
            "content": {OPENAPI: {"schema": {"type": "object"}},
                        HTML: {"schema": {"type": "string"}}},
        }, not_found=False),
        "/collections": _get("Collections", "getCollections", [f],
                             _ok("Collections", "collections", JSON), not_found=False),
        "/collections/{collectionId}": _get(
            "A collection", "describeCollection", [collection_id, f],
            _ok("Collection", "collection", JSON)),
        "/collections/{collectionId}/queryables": _get(
            "What a filter may use", "getQueryables", [collection_id, f],
            _ok("Queryables (JSON Schema)", "queryables", SCHEMA_JSON)),
        # The path parameters once for every method (Part 4 adds its writes here).
        "/collections/{collectionId}/items": {"parameters": [collection_id], **_get(
            "Items of a collection", "getFeatures",
            [ref("parameters", p["name"]) for p in items_parameters()],
            _ok("Features", "featureCollectionGeoJSON", GEOJSON))},
        "/collections/{collectionId}/items/{featureId}": {"parameters": [collection_id, feature_id],
            **_get("One item", "getFeature", [ref("parameters", "crs"), f],
                   _ok("Feature", "featureGeoJSON", GEOJSON))},
        # OGC API - Tiles: metadata here, the tiles themselves under /tiles/ (a templated link).
        "/collections/{collectionId}/tiles": _get(
            "Vector tilesets of a map layer", "getCollectionTileSets", [collection_id],
            _ok("Tilesets", "tileSets", JSON, html=False)),
        "/collections/{collectionId}/tiles/{tileMatrixSetId}": _get(
            "A vector tileset (with the URL template of its Mapbox vector tiles)",
            "getCollectionTileSet", [collection_id, tms_id],
            _ok("Tileset", "tileSet", JSON, html=False)),
        "/tileMatrixSets": _get("Tile matrix sets", "getTileMatrixSetsList", [],
                                _ok("Tile matrix sets", "tileMatrixSets", JSON, html=False),
                                not_found=False),
        "/tileMatrixSets/{tileMatrixSetId}": _get(
            "A tile matrix set", "getTileMatrixSet", [tms_id],
            _ok("Tile matrix set", "tileMatrixSet", JSON, html=False)),
    }  # fmt: skip
    parameters = {p["name"]: p for p in [format_parameter(), *items_parameters()]}
    parameters["crs"] = parameter("crs", "CRS of the returned geometries", crs_schema())
    components = {"schemas": SCHEMAS, "parameters": parameters, "responses": RESPONSES}
    transactions.add_openapi_operations(paths, components)
    create = paths["/collections/{collectionId}/items"]["post"]
    for provider in providers:
        path = paths[f"/collections/{provider.id}/items"] = collection_items_path(provider)
        if isinstance(provider, LayerProvider):
            # A client matches this path before the templated one: it takes Part 4's POST too.
            path["post"] = {**create, "operationId": f"createFeature-{provider.id}"}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Smart Cities of Belarus geoportal: OGC API - Features",
            "version": "1.0",
            "description": "Regions, cities, city services and public map layers of the "
            f"geoportal, and the layers' vector tiles ({MVT_CONTENT_TYPE}). Private layers need "
            "a token: Authorization: Token <key>.",
            "license": {"name": "Open data; see each collection's licence"},
        },
        "servers": [{"url": server_url.rstrip("/") + base if base else server_url}],
        "paths": paths,
        "components": components,
    }  # fmt: skip
