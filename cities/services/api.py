"""REST API of the city services: /api/v1/services/ (GeoJSON) and /api/v1/service-categories/."""

from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework_gis.pagination import GeoJsonPagination
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geoportal.query_params import parse_bbox, parse_point

from ..models import City, ServiceCategory, ServiceLocation
from .query import ServiceQuery, open_state

MAX_RADIUS_M = 100_000
MAX_NEAREST = 500
TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def _number(params, name, *, low, high, kind=float):
    value = params.get(name)
    if value in (None, ""):
        return None
    try:
        number = kind(value)
    except ValueError:
        raise ValidationError({name: _("Expected a number.")}) from None
    if not low <= number <= high:
        raise ValidationError(
            {name: _("Expected a number from %(low)s to %(high)s.") % {"low": low, "high": high}}
        )
    return number


def service_query(params):
    """A ServiceQuery from the API's (and the page's) query parameters; 400 on bad ones."""
    query = ServiceQuery()
    if value := params.get("category"):
        query.categories = [slug for slug in value.split(",") if slug]
        known = set(
            ServiceCategory.objects.filter(slug__in=query.categories).values_list("slug", flat=True)
        )
        if unknown := [slug for slug in query.categories if slug not in known]:
            raise ValidationError(
                {"category": _("Unknown category: %(slugs)s.") % {"slugs": ", ".join(unknown)}}
            )
    if value := params.get("city"):
        query.city = City.objects.filter(slug=value).first()
        if query.city is None:
            raise ValidationError({"city": _("Unknown city: %(slug)s.") % {"slug": value}})
    if value := params.get("bbox"):
        query.bbox = parse_bbox(value)
    query.q = params.get("q", "").strip()[:200]
    if value := params.get("open_now", "").lower():
        if value not in TRUE | FALSE:
            raise ValidationError({"open_now": _("Expected true or false.")})
        query.open_now = value in TRUE
    if value := params.get("wheelchair"):
        query.wheelchair = value.split(",")
        allowed = ServiceLocation.Wheelchair.values
        if wrong := [v for v in query.wheelchair if v not in allowed]:
            raise ValidationError(
                {
                    "wheelchair": _("Expected one or more of %(allowed)s, not %(wrong)s.")
                    % {"allowed": ", ".join(allowed), "wrong": ", ".join(wrong)}
                }
            )
    if value := params.get("near"):
        query.near = parse_point(value)
    query.radius = _number(params, "radius", low=1, high=MAX_RADIUS_M)
    limit = _number(params, "limit", low=1, high=MAX_NEAREST, kind=int)
    if query.near is None and (query.radius is not None or limit is not None):
        raise ValidationError({"near": _("radius and limit need near=longitude,latitude.")})
    if limit is not None:
        query.limit = limit
    return query


class ServiceSerializer(GeoFeatureModelSerializer):
    name = serializers.CharField(read_only=True)
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    icon = serializers.CharField(source="category.icon", read_only=True)
    colour = serializers.CharField(source="category.colour", read_only=True)
    city = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    city_name = serializers.CharField(source="city.name", read_only=True, default=None)
    open_now = serializers.SerializerMethodField()
    distance_m = serializers.SerializerMethodField()

    class Meta:
        model = ServiceLocation
        geo_field = "location"
        fields = [
            "id", "name", "name_be", "name_ru", "name_en", "category", "category_name", "icon",
            "colour", "city", "city_name", "city_basis", "address", "phone", "website", "email",
            "opening_hours", "open_now", "wheelchair", "source", "updated", "distance_m",
        ]  # fmt: skip

    def get_open_now(self, service) -> bool | None:
        return open_state(service.opening_hours)

    def get_distance_m(self, service) -> float | None:
        distance = getattr(service, "distance_m", None)
        return None if distance is None else round(distance, 1)


class ServicePagination(GeoJsonPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


SERVICE_PARAMETERS = [
    OpenApiParameter("category", str, description="Category slugs, comma-separated, with children"),
    OpenApiParameter("city", str, description="City slug"),
    OpenApiParameter("bbox", str, description="minlon,minlat,maxlon,maxlat (EPSG:4326)"),
    OpenApiParameter("q", str, description="Text in the names or address (any case, accents)"),
    OpenApiParameter("open_now", bool, description="Open (true) or not open (false) now"),
    OpenApiParameter("wheelchair", str, description="yes, limited, no, unknown; comma-separated"),
    OpenApiParameter("near", str, description="lon,lat: nearest first, with distance_m"),
    OpenApiParameter("radius", float, description="Metres from near (1-100000)"),
    OpenApiParameter("limit", int, description="How many nearest (1-500, default 10)"),
]


@extend_schema_view(list=extend_schema(parameters=SERVICE_PARAMETERS))
class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """Services as GeoJSON. Filters: category (slugs, with their sub-categories), city, bbox, q,
    open_now, wheelchair; near=lon,lat with radius (m) and limit gives the nearest first, each
    with distance_m."""

    serializer_class = ServiceSerializer
    pagination_class = ServicePagination

    def get_queryset(self):
        if self.action == "retrieve":
            return ServiceQuery().queryset()
        query = service_query(self.request.query_params)
        # The nearest are at most `limit`: as a list, the page counts them without a query.
        return list(query.queryset()) if query.near else query.queryset()


class ServiceCategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    service_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ServiceCategory
        fields = [
            "slug", "name", "name_be", "name_ru", "name_en", "icon", "colour", "parent",
            "service_count",
        ]  # fmt: skip


class ServiceCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = (
        ServiceCategory.objects.select_related("parent")
        .annotate(service_count=Count("services"))
        .order_by("slug")
    )
    serializer_class = ServiceCategorySerializer
    lookup_field = "slug"
    pagination_class = PageNumberPagination
