"""REST API: a layer's features as a GeoJSON FeatureCollection, /api/v1/layers/<slug>/features/.

Pages are numbered (?page=, ?page_size=), with next/previous links and the total count. Filters:
?bbox=minx,miny,maxx,maxy (EPSG:4326), ?prop.<name>=value (equality on a property, as text), and
?properties=a,b keeps only those properties. The GeoJSON is built by PostGIS through the one
FeatureQuery, which the OGC API and the downloads use as well.
"""

import json

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from geoportal.query_params import parse_bbox

from .permissions import visible_layers
from .queries import FeatureQuery

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 10000
PROPERTY_PREFIX = "prop."
KNOWN_PARAMETERS = {"page", "page_size", "bbox", "properties", "format"}

GEOJSON_FEATURE_COLLECTION = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "count": {"type": "integer", "description": "Features matching the filters"},
        "next": {"type": "string", "format": "uri", "nullable": True},
        "previous": {"type": "string", "format": "uri", "nullable": True},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "id", "geometry", "properties"],
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "id": {"type": "integer"},
                    "geometry": {
                        "type": "object",
                        "description": "GeoJSON geometry (RFC 7946), longitude/latitude",
                        "properties": {
                            "type": {"type": "string"},
                            "coordinates": {"type": "array", "items": {}},
                        },
                    },
                    "properties": {"type": "object", "additionalProperties": True},
                },
            },
        },
    },
}
ERROR = {
    "type": "object",
    "properties": {"detail": {}, "code": {"type": "string"}},
    "required": ["detail", "code"],
}


def _positive(params, name, default, maximum=None):
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: _("Expected an integer.")}) from None
    if value < 1:
        raise ValidationError({name: _("Must be at least 1.")})
    return min(value, maximum) if maximum else value


def parse_feature_query(layer, params):
    """Query parameters -> (FeatureQuery, page, page_size, selected properties or None); a 400
    for a bad value or an unknown parameter."""
    unknown = sorted(
        name for name in params if name not in KNOWN_PARAMETERS and not name.startswith("prop.")
    )
    if unknown:
        raise ValidationError(
            {", ".join(unknown): _("Unknown query parameter. Filter on a property with "
                                   "prop.<name>=value.")}
        )  # fmt: skip
    bbox = parse_bbox(params["bbox"]) if params.get("bbox") else None
    properties = {
        name[len(PROPERTY_PREFIX) :]: params[name]
        for name in params
        if name.startswith(PROPERTY_PREFIX) and len(name) > len(PROPERTY_PREFIX)
    }
    select = None
    if params.get("properties"):
        select = [name.strip() for name in params["properties"].split(",") if name.strip()]
    page = _positive(params, "page", 1)
    page_size = _positive(params, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    return FeatureQuery(layer, bbox=bbox, properties=properties), page, page_size, select


def feature_page(query, *, page, page_size, select, url_for_page):
    """One page as FeatureCollection text with count and next/previous links."""
    count = query.count()
    offset = (page - 1) * page_size
    if offset and offset >= count:
        raise Http404(_("Invalid page."))
    features = ",".join(query.geojson_features(offset=offset, limit=page_size, select=select))
    next_url = url_for_page(page + 1) if offset + page_size < count else None
    previous_url = url_for_page(page - 1) if page > 1 else None
    head = json.dumps({"type": "FeatureCollection", "count": count, "next": next_url,
                       "previous": previous_url})[1:-1]  # fmt: skip
    return f'{{{head},"features":[{features}]}}'


class LayerFeaturesView(APIView):
    """The features of a layer the visitor may see, as GeoJSON."""

    @extend_schema(
        operation_id="layer_features",
        summary="Features of a layer (GeoJSON FeatureCollection)",
        parameters=[
            OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1"),
            OpenApiParameter(
                "page_size",
                OpenApiTypes.INT,
                description=f"Features per page (default {DEFAULT_PAGE_SIZE}, at most "
                f"{MAX_PAGE_SIZE}; larger values are clamped)",
            ),
            OpenApiParameter(
                "bbox",
                OpenApiTypes.STR,
                description="minlon,minlat,maxlon,maxlat (EPSG:4326): features intersecting it",
            ),
            OpenApiParameter(
                "prop.<name>",
                OpenApiTypes.STR,
                description="Keep features whose property <name> equals the value (compared "
                "as text), e.g. prop.kind=school. Repeat for several properties.",
            ),
            OpenApiParameter(
                "properties",
                OpenApiTypes.STR,
                description="Comma-separated property names to return (default: all)",
            ),
        ],  # fmt: skip
        responses={
            (200, "application/geo+json"): OpenApiResponse(GEOJSON_FEATURE_COLLECTION),
            400: OpenApiResponse(ERROR, description="Invalid or unknown parameter"),
            404: OpenApiResponse(ERROR, description="No such layer, or not visible to you"),
        },
    )
    def get(self, request, slug):
        layer = get_object_or_404(visible_layers(request.user), slug=slug)
        query, page, page_size, select = parse_feature_query(layer, request.query_params)

        def url_for_page(number):
            params = {**request.query_params.dict(), "page": number}
            return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")

        body = feature_page(
            query, page=page, page_size=page_size, select=select, url_for_page=url_for_page
        )
        return HttpResponse(body, content_type="application/geo+json")
