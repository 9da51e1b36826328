"""REST API for regions and cities, as GeoJSON FeatureCollections."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework_gis.fields import GeometrySerializerMethodField
from rest_framework_gis.filters import InBBoxFilter
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geoportal.pagination import GeoJsonPagination
from geoportal.query_params import parse_bbox

from .models import City, Region


class BBoxFilter(InBBoxFilter):
    """?bbox=minlon,minlat,maxlon,maxlat: drf-gis' InBBoxFilter (and its OpenAPI parameter) with
    the portal's parsing and an exact intersection, which the view's bbox_filter(box) states."""

    bbox_param = "bbox"

    def get_filter_bbox(self, request):
        value = request.query_params.get(self.bbox_param)
        return parse_bbox(value, self.bbox_param) if value else None

    def filter_queryset(self, request, queryset, view):
        box = self.get_filter_bbox(request)
        return queryset if box is None else queryset.filter(view.bbox_filter(box))


class RegionSerializer(GeoFeatureModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Region
        geo_field = "geom"
        id_field = "slug"
        fields = ["slug", "iso_code", "name", "name_be", "name_ru", "name_en", "area_km2", "source"]


# A city's geometry: its boundary where published, else its point.
CITY_GEOMETRY = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"type": "string", "enum": ["Point", "Polygon", "MultiPolygon"]},
        "coordinates": {"type": "array", "items": {}},
    },
}


class CitySerializer(GeoFeatureModelSerializer):
    name = serializers.CharField(read_only=True)
    region = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    # The boundary where one is published, else the point (see CityViewSet.queryset);
    # geometry_source says which.
    # A method field: drf-spectacular's GIS extension looks the geo_field up among the model's
    # fields and fails on an annotation (a 500 on /api/v1/schema/).
    geometry = GeometrySerializerMethodField()
    geometry_source = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    # Computed by PostgreSQL from the boundary: none without one.
    area_km2 = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = City
        geo_field = "geometry"
        id_field = "slug"
        fields = [
            "slug", "name", "name_be", "name_ru", "name_en", "region", "kind", "population",
            "population_year", "population_source", "area_km2", "boundary_source",
            "boundary_date", "platform_status", "platform_launch_year", "geometry_source", "url",
        ]  # fmt: skip

    @extend_schema_field(CITY_GEOMETRY)
    def get_geometry(self, city):
        return city.geometry

    def get_geometry_source(self, city) -> str:
        return "boundary" if city.has_boundary else "point"

    def get_url(self, city) -> str:
        request = self.context.get("request")
        url = city.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    lookup_field = "slug"
    pagination_class = GeoJsonPagination
    filter_backends = [BBoxFilter]

    def bbox_filter(self, box):
        return Q(geom__intersects=box)


class CityViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = City.objects.select_related("region").annotate(geometry=City.shape())
    serializer_class = CitySerializer
    lookup_field = "slug"
    pagination_class = GeoJsonPagination
    filter_backends = [BBoxFilter]

    def bbox_filter(self, box):
        return City.shape_lookup("intersects", box)
