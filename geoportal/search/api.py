"""GET /api/v1/search/?q=...&near=lon,lat&limit=n: places, services, layers and features of
public layers, best first (search/query.py)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from geoportal.query_params import MAX_INTEGER, parse_int, parse_point
from geoportal.translation import current_language

from .query import MAX_QUERY, Search, results

MAX_LIMIT = 25

RESULT_FIELDS = {
    "kind": serializers.ChoiceField(["region", "city", "service", "layer", "feature"]),
    "kind_label": serializers.CharField(help_text="The kind, in the answer's language."),
    "id": serializers.CharField(help_text="Slug (region, city, layer) or row id."),
    "name": serializers.CharField(help_text="In the answer's language where it exists."),
    "detail": serializers.CharField(help_text="Region, category and address, or layer."),
    "url": serializers.CharField(help_text="The portal page that shows it."),
    "lon": serializers.FloatField(),
    "lat": serializers.FloatField(),
    "bbox": serializers.ListField(child=serializers.FloatField(), allow_null=True),
    "layer": serializers.CharField(allow_null=True, help_text="Slug of its layer."),
    "properties": serializers.DictField(required=False, help_text="A feature's attributes."),
}


class SearchView(APIView):
    @extend_schema(
        summary="Search places, services, layers and features",
        description=(
            "One search for everything the portal shows: the regions, the programme's cities, "
            "city services, the layers of the catalogue and the named features of public "
            "layers (such as the 22,477 settlements). Typed in Belarusian, Russian or English, "
            "Cyrillic or Latin (the official romanisations and English spellings), with typos "
            "and without accents. Exact names first, then beginnings, then similar names; a "
            "city before a hamlet of the same name; nearer `near` first. Names are in the "
            "language of the Accept-Language header."
        ),
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description=f"The words searched for (at most {MAX_QUERY} characters).",
            ),
            OpenApiParameter(
                "near",
                OpenApiTypes.STR,
                description="lon,lat of the map's centre: nearer results first.",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
                description=f"How many results (1-{MAX_LIMIT}, default 10; more is read as "
                f"{MAX_LIMIT}).",
            ),
        ],  # fmt: skip
        responses={
            200: inline_serializer(
                "SearchResults",
                {"results": inline_serializer("SearchResult", RESULT_FIELDS, many=True)},
            )
        },
    )
    def get(self, request):
        text = request.query_params.get("q", "")
        if "\x00" in text:
            raise ValidationError({"q": ["Null characters are not allowed."]})
        near = request.query_params.get("near")
        limit = parse_int(request.query_params.get("limit"), "limit", default=10, minimum=1)
        search = Search(
            text=text.strip(), user=request.user, centre=parse_point(near) if near else None,
            limit=min(limit, MAX_LIMIT),
        )  # fmt: skip
        return Response({"results": results(search.entries(), current_language())})
