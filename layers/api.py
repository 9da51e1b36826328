"""REST API for layers: metadata and import status, and uploads (202, imported by the worker)."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from cities.models import City
from cities.permissions import can_manage_city, managed_city_ids
from geoportal.gis.files import FileRefused, discard_upload
from geoportal.gis.inspect import ImportOptions

from .imports.queue import new_layer_slug, queue_import, receive_upload
from .models import Layer, TopicCategory
from .permissions import LayerPermission, visible_layers


class LayerSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    abstract = serializers.CharField(read_only=True)
    city = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True, default=None)
    extent = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Layer
        fields = [
            "slug", "url", "title", "title_be", "title_ru", "title_en", "abstract",
            "abstract_be", "abstract_ru", "abstract_en", "keywords", "topic_category", "city",
            "owner", "licence", "attribution", "is_public", "source_filename", "source_format",
            "source_crs", "geometry_type", "attributes", "feature_count", "extent", "status",
            "progress", "import_report", "error_message", "version", "created", "updated",
        ]  # fmt: skip

    def get_extent(self, layer):
        return list(layer.extent.extent) if layer.extent else None

    def get_url(self, layer):
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
        data["slug"] = slug or new_layer_slug(data["title"])
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
        ]  # fmt: skip

    def validate_city(self, city):
        check_city(self.context["request"].user, city)
        return city


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
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            source = receive_upload(data["file"], ImportOptions.from_dict(data))
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
                queue_import(layer, source, data["file"].name, request.user)
        except BaseException:
            discard_upload(source.path)
            raise
        body = LayerSerializer(layer, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
