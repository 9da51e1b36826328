"""REST API for the indicator catalogue, the values (with a CSV export) and the targets."""

import django_filters
from django.db.models import Q
from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from geoportal.query_params import IntegerFilter, ParsedFilterSet

from ..models import Indicator, IndicatorValue, Target
from ..models.indicators import COMPUTED
from .exports import values_csv


class IndicatorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    definition = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "code", "slug", "framework", "name", "name_be", "name_ru", "name_en", "definition",
            "definition_be", "definition_ru", "definition_en", "dimension", "sub_dimension",
            "category", "tier", "kind", "unit", "unit_be", "unit_ru", "unit_en",
            "higher_is_better", "sdg_targets", "subseries", "catalogue_source", "url",
        ]  # fmt: skip

    def get_url(self, indicator) -> str:
        request = self.context.get("request")
        url = indicator.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class IndicatorValueSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    indicator_slug = serializers.CharField(source="indicator.slug", read_only=True)
    sample = serializers.BooleanField(source="is_sample", read_only=True)
    computed = serializers.BooleanField(source="is_computed", read_only=True)

    class Meta:
        model = IndicatorValue
        fields = [
            "city", "indicator", "indicator_slug", "year", "subseries", "value", "source",
            "verified", "sample", "computed", "method", "approximate", "computed_at", "updated",
        ]  # fmt: skip


class TargetSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sample = serializers.BooleanField(source="is_sample", read_only=True)

    class Meta:
        model = Target
        fields = [
            "city", "indicator", "baseline_year", "baseline_value", "target_year",
            "target_value", "source", "sample",
        ]  # fmt: skip


def _indicator_q(value, prefix=""):
    """?indicator= takes the code as ITU writes it or its URL slug."""
    return Q(**{f"{prefix}code": value}) | Q(**{f"{prefix}slug": value.lower()})


class IndicatorFilter(ParsedFilterSet):
    q = django_filters.CharFilter(method="filter_text",
                                  help_text="Text in the code, names or definitions")  # fmt: skip
    dimension = django_filters.ChoiceFilter(choices=Indicator.Dimension.choices)
    tier = django_filters.ChoiceFilter(choices=Indicator.Tier.choices)
    framework = django_filters.ChoiceFilter(choices=Indicator.Framework.choices)

    def filter_text(self, indicators, name, value):
        q = value.strip()
        return indicators.filter(
            Q(code__icontains=q) | Q(name_be__icontains=q) | Q(name_ru__icontains=q)
            | Q(name_en__icontains=q) | Q(definition_en__icontains=q)
        )  # fmt: skip


class CityIndicatorFilter(ParsedFilterSet):
    """city and indicator, which values and targets share."""

    city = django_filters.CharFilter(field_name="city__slug", help_text="City slug, e.g. minsk")
    indicator = django_filters.CharFilter(
        method="filter_indicator", help_text="Code (EC: I: T: 2A) or slug (ec-i-t-2a)"
    )

    def filter_indicator(self, queryset, name, value):
        return queryset.filter(_indicator_q(value, "indicator__"))


SOURCES = {
    "computed": Q(source=COMPUTED),
    "sample": Q(is_sample=True),
    "cited": ~Q(source=COMPUTED) & Q(is_sample=False),
}


class IndicatorValueFilter(CityIndicatorFilter):
    year = IntegerFilter(1900, 2100, method="filter_year")
    dimension = django_filters.ChoiceFilter(
        field_name="indicator__dimension", choices=Indicator.Dimension.choices
    )
    subseries = django_filters.CharFilter(
        method="filter_nothing", help_text="A sub-series name; empty for the headline"
    )
    source = django_filters.ChoiceFilter(
        method="filter_source", choices=[(name, name) for name in SOURCES],
        help_text="computed (by the portal), cited (from a source) or sample",
    )  # fmt: skip

    def filter_year(self, values, name, value):
        return values.filter(year=value)

    def filter_source(self, values, name, value):
        return values.filter(SOURCES[value])

    def filter_queryset(self, values):
        values = super().filter_queryset(values)
        # An empty sub-series is a value too: the headline series.
        if "subseries" in self.data:
            values = values.filter(subseries=self.data["subseries"])
        return values


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """The indicator catalogue: the ITU U4SSC KPIs and the portal's own."""

    serializer_class = IndicatorSerializer
    lookup_field = "slug"
    queryset = Indicator.objects.all()
    filter_backends = [DjangoFilterBackend]
    filterset_class = IndicatorFilter


class IndicatorValueViewSet(viewsets.ReadOnlyModelViewSet):
    """Indicator values per city and year. `sample` marks demonstration figures."""

    serializer_class = IndicatorValueSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = IndicatorValueFilter
    queryset = IndicatorValue.objects.select_related("city", "indicator").order_by(
        "indicator__code", "city__slug", "subseries", "year"
    )

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV")},
    )
    @action(detail=False, url_path="csv", url_name="export", pagination_class=None)
    def export(self, request):
        """The filtered values as CSV, in the columns the admin import reads back."""
        values = self.filter_queryset(self.get_queryset())
        response = HttpResponse(values_csv(values), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="indicator-values.csv"'
        return response


class TargetViewSet(viewsets.ReadOnlyModelViewSet):
    """Cities' targets: baseline and target year and value."""

    serializer_class = TargetSerializer
    queryset = Target.objects.select_related("city", "indicator")
    filter_backends = [DjangoFilterBackend]
    filterset_class = CityIndicatorFilter
