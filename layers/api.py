"""REST API for layers: metadata and import status, uploads (202, imported by the worker) and
edits of the description; and a layer's features as a GeoJSON FeatureCollection,
/api/v1/layers/<slug>/features/.

Feature pages are numbered (?page=, ?page_size=), with next/previous links and the total count.
Filters: ?bbox=minx,miny,maxx,maxy (EPSG:4326), ?prop.<name>=value (equality on a property, as
text), and ?properties=a,b keeps only those properties. The GeoJSON is built by PostGIS through
the one FeatureQuery, which the OGC API and the downloads use as well.
"""

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from cities.models import City
from cities.permissions import can_manage_city, managed_city_ids
from geoportal.gis.files import FileRefused, discard_upload
from geoportal.gis.inspect import ImportOptions
from geoportal.gis.uploads import too_large_message
from geoportal.query_params import BBoxFilter, IntegerFilter, ListFilter, ParsedFilterSet

from . import access
from .imports.queue import new_layer_slug, queue_import, receive_upload
from .models import Feature, Layer, TopicCategory
from .permissions import LayerPermission, visible_layers
from .queries import FeatureQuery


class LayerSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    abstract = serializers.CharField(read_only=True)
    city = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    owner = serializers.CharField(
        source="owner.username", read_only=True, default=None, allow_null=True
    )
    extent = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Layer
        fields = [
            "slug", "url", "title", "title_be", "title_ru", "title_en", "abstract",
            "abstract_be", "abstract_ru", "abstract_en", "keywords", "topic_category", "city",
            "owner", "licence", "attribution", "is_public", "source_filename", "source_format",
            "source_crs", "geometry_type", "attributes", "time_attribute", "feature_count",
            "extent", "status",
            "progress", "import_report", "error_message", "version", "created", "updated",
        ]  # fmt: skip

    def get_extent(self, layer) -> list[float] | None:
        """[min longitude, min latitude, max longitude, max latitude], EPSG:4326."""
        return list(layer.extent.extent) if layer.extent else None

    def get_url(self, layer) -> str:
        path = reverse("layer-detail", args=[layer.slug])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class LayerUploadSerializer(serializers.Serializer):
    """A new layer from a file; the option fields override detection."""

    file = serializers.FileField()
    title = serializers.CharField(max_length=255)
    title_ru = serializers.CharField(max_length=255, required=False, default="")
    title_en = serializers.CharField(max_length=255, required=False, default="")
    abstract = serializers.CharField(required=False, default="")
    slug = serializers.SlugField(max_length=100, required=False)
    topic_category = serializers.ChoiceField(TopicCategory.choices, required=False, default="")
    city = serializers.SlugRelatedField(
        slug_field="slug", queryset=City.objects.all(), required=False, allow_null=True
    )
    is_public = serializers.BooleanField(required=False, default=False)
    licence = serializers.CharField(max_length=200, required=False, default="")
    attribution = serializers.CharField(max_length=500, required=False, default="")
    crs = serializers.CharField(max_length=200, required=False, default="")
    encoding = serializers.CharField(max_length=40, required=False, default="")
    layer_name = serializers.CharField(max_length=255, required=False, default="")
    x_column = serializers.CharField(max_length=255, required=False, default="")
    y_column = serializers.CharField(max_length=255, required=False, default="")
    wkt_column = serializers.CharField(max_length=255, required=False, default="")

    def validate(self, data):
        check_city(self.context["request"].user, data.get("city"))
        slug = data.get("slug")
        if slug and Layer.objects.filter(slug=slug).exists():
            raise serializers.ValidationError({"slug": _("A layer with this slug exists.")})
        data["slug"] = slug or new_layer_slug(data["title"], data["title_ru"], data["title_en"])
        return data


def check_city(user, city):
    """A planner's layer belongs to one of their cities; users who manage every city may also
    leave it national (no city)."""
    if city is None and managed_city_ids(user) is not None:
        raise serializers.ValidationError({"city": _("Choose one of the cities you manage.")})
    if city is not None and not can_manage_city(user, city.pk):
        raise serializers.ValidationError({"city": _("You do not manage this city.")})


class LayerUpdateSerializer(serializers.ModelSerializer):
    """What an editor may change of a layer through the API: its description and visibility."""

    city = serializers.SlugRelatedField(
        slug_field="slug", queryset=City.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Layer
        fields = [
            "title_be", "title_ru", "title_en", "abstract_be", "abstract_ru", "abstract_en",
            "keywords", "topic_category", "city", "is_public", "licence", "attribution",
            "time_attribute",
        ]  # fmt: skip

    def validate_city(self, city):
        check_city(self.context["request"].user, city)
        return city

    def validate_time_attribute(self, name):
        layer = Layer(attributes=self.instance.attributes, time_attribute=name)
        try:
            layer.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["time_attribute"]) from None
        return name


class LayerViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """GET: layers this user may see, with their import status. POST (multipart, planners): a new
    layer from a file; answers 202 at once, the worker imports it. PATCH (JSON, editors of the
    layer): its description and visibility."""

    serializer_class = LayerSerializer
    permission_classes = [LayerPermission]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_field = "slug"
    http_method_names = ["get", "head", "options", "post", "patch"]

    def get_queryset(self):
        qs = Layer.objects.select_related("city", "owner").order_by("-updated")
        return visible_layers(self.request.user, qs)

    def get_serializer_class(self):
        if self.action == "create":
            return LayerUploadSerializer
        if self.action == "partial_update":
            return LayerUpdateSerializer
        return LayerSerializer

    @extend_schema(request=LayerUpdateSerializer, responses=LayerSerializer)
    def partial_update(self, request, *args, **kwargs):
        layer = self.get_object()
        update = LayerUpdateSerializer(
            layer, data=request.data, partial=True, context={"request": request}
        )
        update.is_valid(raise_exception=True)
        update.save()
        return Response(LayerSerializer(layer, context={"request": request}).data)

    def create(self, request, *args, **kwargs):
        upload = LayerUploadSerializer(data=request.data, context={"request": request})
        if getattr(request._request, "upload_too_large", False):
            # LimitedUploadHandler stopped reading the body at MAX_UPLOAD_SIZE.
            return Response({"detail": too_large_message(), "code": "too_large"}, status=413)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        options = ImportOptions.from_dict(data)
        try:
            received = receive_upload(data["file"], options)
        except FileRefused as exc:
            # Through the API's one error format, like every other 400.
            raise serializers.ValidationError({"file": [str(exc)]}) from exc
        try:
            with transaction.atomic():
                layer = Layer.objects.create(
                    slug=data["slug"],
                    title_be=data["title"],
                    title_ru=data["title_ru"],
                    title_en=data["title_en"],
                    abstract_be=data["abstract"],
                    topic_category=data["topic_category"],
                    city=data.get("city"),
                    owner=request.user,
                    is_public=data["is_public"],
                    licence=data["licence"],
                    attribution=data["attribution"],
                )
                queue_import(layer, received, data["file"].name, request.user)
        except BaseException:
            discard_upload(received.path)
            raise
        body = LayerSerializer(layer, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 10000
PROPERTY_PREFIX = "prop."

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


class FeatureFilter(ParsedFilterSet):
    """The query parameters of a layer's features, besides prop.<name>=value (the names are the
    layer's own attributes, so they are read apart)."""

    page = IntegerFilter(1, help_text="Page number, from 1")
    page_size = IntegerFilter(
        1, MAX_PAGE_SIZE, clamp=True,
        help_text=f"Features per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}; "
        "larger values are clamped)",
    )  # fmt: skip
    bbox = BBoxFilter(help_text="minlon,minlat,maxlon,maxlat (EPSG:4326): features intersecting it")
    properties = ListFilter(help_text="Comma-separated property names to return (default: all)")


def parse_feature_query(layer, params):
    """Query parameters -> (FeatureQuery, page, page_size, selected properties or None); a 400
    for a bad value or an unknown parameter."""
    known = set(FeatureFilter.base_filters) | {"format"}
    unknown = sorted(
        name for name in params if name not in known and not name.startswith(PROPERTY_PREFIX)
    )
    if unknown:
        raise ValidationError(
            {", ".join(unknown): _("Unknown query parameter. Filter on a property with "
                                   "prop.<name>=value.")}
        )  # fmt: skip
    filterset = FeatureFilter(params, queryset=Feature.objects.none())
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    values = filterset.form.cleaned_data
    properties = {
        name[len(PROPERTY_PREFIX) :]: params[name]
        for name in params
        if name.startswith(PROPERTY_PREFIX) and len(name) > len(PROPERTY_PREFIX)
    }
    query = FeatureQuery(layer, bbox=values["bbox"], properties=properties)
    return (
        query,
        values["page"] or 1,
        values["page_size"] or DEFAULT_PAGE_SIZE,
        values["properties"],
    )


def feature_page(query, *, page, page_size, select, url_for_page):
    """One page as FeatureCollection text with count and next/previous links."""
    offset = (page - 1) * page_size
    features, count = query.page(offset=offset, limit=page_size, select=select)
    if offset and offset >= count:
        raise Http404(_("Invalid page."))
    features = ",".join(features)
    next_url = url_for_page(page + 1) if offset + page_size < count else None
    previous_url = url_for_page(page - 1) if page > 1 else None
    head = json.dumps({"type": "FeatureCollection", "count": count, "next": next_url,
                       "previous": previous_url})[1:-1]  # fmt: skip
    return f'{{{head},"features":[{features}]}}'


class LayerFeaturesView(GenericAPIView):
    """The features of a layer the visitor may see, as GeoJSON (its pages are FeatureFilter's
    page and page_size, not DRF's pagination)."""

    queryset = Feature.objects.none()
    filter_backends = [DjangoFilterBackend]
    filterset_class = FeatureFilter
    pagination_class = None

    @extend_schema(
        operation_id="layer_features",
        filters=True,
        summary="Features of a layer (GeoJSON FeatureCollection)",
        parameters=[
            OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH),
            OpenApiParameter(
                "prop.<name>",
                OpenApiTypes.STR,
                description="Keep features whose property <name> equals the value (compared "
                "as text), e.g. prop.kind=school. Repeat for several properties.",
            ),
        ],  # fmt: skip
        responses={
            (200, "application/geo+json"): OpenApiResponse(GEOJSON_FEATURE_COLLECTION),
            400: OpenApiResponse(ERROR, description="Invalid or unknown parameter"),
            404: OpenApiResponse(ERROR, description="No such layer, or not visible to you"),
        },
    )
    @method_decorator(access.answered_again)
    def get(self, request, slug):
        layer = access.for_features(request.user, slug)
        if layer is None:
            raise Http404
        query, page, page_size, select = parse_feature_query(layer, request.query_params)

        def url_for_page(number):
            params = {**request.query_params.dict(), "page": number}
            return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")

        body = feature_page(
            query, page=page, page_size=page_size, select=select, url_for_page=url_for_page
        )
        return HttpResponse(body, content_type="application/geo+json")
