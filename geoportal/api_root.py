"""/api/v1/: the API's root, listing its resources (and its schema and docs) as URLs, so that a
client or a person starts from one address."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse

RESOURCES = {
    "regions": "region-list",
    "cities": "city-list",
    "layers": "layer-list",
    "services": "service-list",
    "service-categories": "service-category-list",
    "indicators": "indicator-list",
    "indicator-values": "indicator-value-list",
    "indicator-targets": "indicator-target-list",
    "schema": "api-schema",
    "docs": "api-docs",
}


@extend_schema(
    summary="The API's resources",
    responses={
        200: OpenApiResponse(
            {
                "type": "object",
                "properties": {name: {"type": "string", "format": "uri"} for name in RESOURCES},
                "required": list(RESOURCES),
            },
            description="The URL of each resource list, the schema and the docs",
        )
    },
)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request):
    return Response({name: reverse(url, request=request) for name, url in RESOURCES.items()})
