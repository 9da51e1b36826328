"""OGC API - Tiles (Part 1: Core, TileSet, TileSets list, GeoData tilesets, MVT) for the layers'
vector tiles: metadata only. The tiles themselves are the ones /tiles/ already serves (built in
PostGIS and cached by layers/tiles.py); the tileset links to them by a URL template. The tile
matrix set is the one those tiles use, WebMercatorQuad, as the 2D TMS 2.0 standard defines it.
"""

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import tiles
from .cql2 import GEOMETRY
from .providers import LayerProvider, collection_or_404
from .responses import JSON, REL_TILING_SCHEME, absolute, link, ogc_endpoint

WEB_MERCATOR_QUAD = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
EPSG_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
# Half the equator in EPSG:3857 metres; zoom 0 is one 256 px tile of 2 * ORIGIN.
ORIGIN = 20037508.3427892
CELL_SIZE_0 = 2 * ORIGIN / 256
# The standard rendering pixel of 0.28 mm turns a cell size into a scale denominator.
PIXEL_SIZE = 0.00028


def tile_matrix_set():
    """WebMercatorQuad (OGC 17-083r4, annex D), zoom 0 to tiles.MAX_ZOOM."""
    matrices = []
    for z in range(tiles.MAX_ZOOM + 1):
        cell = CELL_SIZE_0 / 2**z
        matrices.append({
            "id": str(z), "scaleDenominator": cell / PIXEL_SIZE, "cellSize": cell,
            "cornerOfOrigin": "topLeft", "pointOfOrigin": [-ORIGIN, ORIGIN],
            "tileWidth": 256, "tileHeight": 256, "matrixWidth": 2**z, "matrixHeight": 2**z,
        })  # fmt: skip
    return {
        "id": WEB_MERCATOR_QUAD,
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "crs": EPSG_3857,
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
    }


def _tms_link(request):
    path = reverse("ogc:tile_matrix_set", args=[WEB_MERCATOR_QUAD])
    return link(absolute(request, path), REL_TILING_SCHEME, JSON, "WebMercatorQuad")


def _layer_provider(request, collection_id):
    """Tiles exist for map layers only; a layer the user may not see is no collection at all."""
    provider = collection_or_404(request.user, collection_id)
    if not isinstance(provider, LayerProvider):
        raise Http404(_("Collection %(id)s has no tiles.") % {"id": collection_id})
    return provider


def tileset_summary(request, provider):
    path = reverse("ogc:tileset", args=[provider.id, WEB_MERCATOR_QUAD])
    return {
        "title": str(provider.title),
        "dataType": "vector",
        "crs": EPSG_3857,
        "tileMatrixSetURI": TMS_URI,
        "links": [
            link(absolute(request, path), "self", JSON, _("Tileset metadata")),
            _tms_link(request),
        ],
    }


def tileset(request, provider):
    """The tileset metadata: what the tiles hold and the URL template to fetch them."""
    layer = provider.layer
    template = tiles.tiles_template_url(request, layer)
    ogc_template = template.replace("{z}/{x}/{y}", "{tileMatrix}/{tileCol}/{tileRow}")
    data = tileset_summary(request, provider)
    data["links"] += [
        {**link(ogc_template, "item", tiles.MVT_CONTENT_TYPE, _("Tiles (Mapbox Vector Tiles)")),
         "templated": True},
        link(absolute(request, reverse("tiles:tilejson", args=[layer.slug])), "describedby",
             JSON, "TileJSON"),
        link(absolute(request, reverse("ogc:collection", args=[provider.id])), "collection",
             JSON, str(provider.title)),
    ]  # fmt: skip
    data["layers"] = [{
        "id": layer.slug, "title": str(provider.title), "dataType": "vector",
        "geometryDimension": _geometry_dimension(layer.geometry_type),
        "minTileMatrix": "0", "maxTileMatrix": str(tiles.MAX_ZOOM),
        "propertiesSchema": {
            "type": "object",
            "properties": {name: q.schema() for name, q in provider.queryables().items()
                           if q.type != GEOMETRY},
        },
    }]  # fmt: skip
    extent = provider.extent()
    if extent:
        data["boundingBox"] = {
            "lowerLeft": extent[:2],
            "upperRight": extent[2:],
            "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        }
    return data


def _geometry_dimension(geometry_type):
    kind = (geometry_type or "").lower().replace("multi", "")
    return {"point": 0, "linestring": 1, "polygon": 2}.get(kind)


def _json(data):
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@ogc_endpoint
def tilesets(request, collection_id):
    provider = _layer_provider(request, collection_id)
    path = reverse("ogc:tilesets", args=[provider.id])
    return _json({
        "links": [link(absolute(request, path), "self", JSON, _("Tilesets"))],
        "tilesets": [tileset_summary(request, provider)],
    })  # fmt: skip


@ogc_endpoint
def tileset_detail(request, collection_id, tms_id):
    provider = _layer_provider(request, collection_id)
    if tms_id != WEB_MERCATOR_QUAD:
        raise Http404(_("No tile matrix set %(id)s.") % {"id": tms_id})
    return _json(tileset(request, provider))


@ogc_endpoint
def tile_matrix_sets(request):
    path = reverse("ogc:tile_matrix_set", args=[WEB_MERCATOR_QUAD])
    return _json({
        "tileMatrixSets": [{
            "id": WEB_MERCATOR_QUAD, "title": "Google Maps Compatible for the World",
            "uri": TMS_URI, "crs": EPSG_3857,
            "links": [link(absolute(request, path), "self", JSON, "WebMercatorQuad")],
        }],
    })  # fmt: skip


@ogc_endpoint
def tile_matrix_set_detail(request, tms_id):
    if tms_id != WEB_MERCATOR_QUAD:
        raise Http404(_("No tile matrix set %(id)s.") % {"id": tms_id})
    return _json(tile_matrix_set())
