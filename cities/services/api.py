"""REST API of the city services: /api/v1/services/ (GeoJSON) and /api/v1/service-categories/."""

import django_filters
from django.db.models import Count
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geoportal.pagination import GeoJsonPagination
from geoportal.query_params import (
    BBoxFilter,
    BooleanFilter,
    IntegerFilter,
    ListFilter,
    NumberFilter,
    ParsedFilterSet,
    PointFilter,
)

from ..models import City, ServiceCategory, ServiceLocation
from .hours import week
from .query import ServiceQuery, open_state
from .sources import source_label

MAX_RADIUS_M = 100_000
MAX_NEAREST = 500


class ServiceFilter(ParsedFilterSet):
    """The services' query parameters, parsed into the one ServiceQuery (query.py)."""

    category = ListFilter(help_text="Category slugs, comma-separated, with their children")
    city = django_filters.CharFilter(method="filter_nothing", help_text="City slug")
    bbox = BBoxFilter(help_text="minlon,minlat,maxlon,maxlat (EPSG:4326)")
    q = django_filters.CharFilter(
        method="filter_nothing", max_length=200,
        help_text="Text in the names or address (any case, accents)",
    )  # fmt: skip
    open_now = BooleanFilter(help_text="Open (true) or not open (false) now")
    wheelchair = ListFilter(
        choices=ServiceLocation.Wheelchair.values,
        help_text="yes, limited, no, unknown; comma-separated",
    )
    near = PointFilter(help_text="lon,lat: the nearest first, each with distance_m")
    radius = NumberFilter(1, MAX_RADIUS_M, help_text=f"Metres from near (1-{MAX_RADIUS_M})")
    limit = IntegerFilter(
        1, MAX_NEAREST, help_text=f"How many nearest (1-{MAX_NEAREST}, default 10)"
    )

    def filter_queryset(self, queryset):
        return service_query(self.form.cleaned_data).queryset()


def service_query(values):
    """The ServiceQuery of parsed parameters (ServiceFilter's cleaned data); 400 on unknown
    categories or city, or radius/limit without near."""
    query = ServiceQuery(q=(values.get("q") or "").strip())
    if slugs := values.get("category"):
        known = set(ServiceCategory.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if unknown := [slug for slug in slugs if slug not in known]:
            raise ValidationError(
                {"category": _("Unknown category: %(slugs)s.") % {"slugs": ", ".join(unknown)}}
            )
        query.categories = slugs
    if slug := values.get("city"):
        query.city = City.objects.filter(slug=slug).first()
        if query.city is None:
            raise ValidationError({"city": _("Unknown city: %(slug)s.") % {"slug": slug}})
    query.bbox = values.get("bbox")
    query.open_now = values.get("open_now")
    query.wheelchair = values.get("wheelchair") or []
    query.near = values.get("near")
    query.radius = values.get("radius")
    limit = values.get("limit")
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
    city = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    city_name = serializers.CharField(
        source="city.name", read_only=True, default=None, allow_null=True
    )
    # Empty when no city is near (the trigger in PostgreSQL assigns it).
    city_basis = serializers.ChoiceField(
        ServiceLocation.CityBasis.choices, read_only=True, allow_blank=True
    )
    open_now = serializers.SerializerMethodField()
    opening_hours_week = serializers.SerializerMethodField(
        help_text="The opening hours of the 7 days from today, in words of the answer's language."
    )
    source_label = serializers.SerializerMethodField(
        help_text="The source in the answer's language."
    )
    distance_m = serializers.SerializerMethodField()

    class Meta:
        model = ServiceLocation
        geo_field = "location"
        fields = [
            "id", "name", "name_be", "name_ru", "name_en", "category", "category_name", "icon",
            "colour", "city", "city_name", "city_basis", "address", "phone", "website", "email",
            "opening_hours", "open_now", "opening_hours_week", "wheelchair", "source",
            "source_label", "updated", "distance_m",
        ]  # fmt: skip

    def get_open_now(self, service) -> bool | None:
        return open_state(service.opening_hours)

    def get_opening_hours_week(self, service) -> list[dict]:
        return week(service.opening_hours)

    def get_source_label(self, service) -> str:
        return source_label(service.source)

    def get_distance_m(self, service) -> float | None:
        distance = getattr(service, "distance_m", None)
        return None if distance is None else round(distance, 1)


class ServicePagination(GeoJsonPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """Services as GeoJSON. Filters: category (slugs, with their sub-categories), city, bbox, q,
    open_now, wheelchair; near=lon,lat with radius (m) and limit gives the nearest first, each
    with distance_m."""

    serializer_class = ServiceSerializer
    pagination_class = ServicePagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ServiceFilter

    def get_queryset(self):
        return ServiceQuery().queryset()

    def filter_queryset(self, queryset):
        if self.action == "retrieve":
            return queryset
        services = super().filter_queryset(queryset)
        # The nearest are at most `limit`: as a list, the page counts them without a query.
        return list(services) if self.request.query_params.get("near") else services


class ServiceCategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
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
