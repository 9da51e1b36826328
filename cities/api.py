"""REST API for regions and cities, as GeoJSON FeatureCollections."""

from django.contrib.gis.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from rest_framework import filters as drf_filters
from rest_framework import serializers, viewsets
from rest_framework_gis.fields import GeometrySerializerMethodField
from rest_framework_gis.pagination import GeoJsonPagination
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geoportal.query_params import parse_bbox

from .models import City, Region


class BBoxFilter(drf_filters.BaseFilterBackend):
    """?bbox=minx,miny,maxx,maxy keeps what intersects the box (index-assisted in PostGIS)."""

    def filter_queryset(self, request, queryset, view):
        value = request.query_params.get("bbox")
        if not value:
            return queryset
        box = parse_bbox(value)
        return queryset.filter(view.bbox_filter(box))


class RegionSerializer(GeoFeatureModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Region
        geo_field = "geom"
        id_field = "slug"
        fields = ["slug", "iso_code", "name", "name_be", "name_ru", "name_en", "area_km2", "source"]


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

    class Meta:
        model = City
        geo_field = "geometry"
        id_field = "slug"
        fields = [
            "slug", "name", "name_be", "name_ru", "name_en", "region", "kind", "population",
            "population_year", "population_source", "area_km2", "boundary_source",
            "boundary_date", "platform_status", "platform_launch_year", "geometry_source", "url",
        ]  # fmt: skip

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
    queryset = City.objects.select_related("region").annotate(
        geometry=Coalesce("boundary", "location", output_field=models.GeometryField(srid=4326))
    )
    serializer_class = CitySerializer
    lookup_field = "slug"
    pagination_class = GeoJsonPagination
    filter_backends = [BBoxFilter]

    def bbox_filter(self, box):
        return Q(boundary__intersects=box) | Q(boundary__isnull=True, location__intersects=box)
