"""REST API for the indicator catalogue, the values (with a CSV export) and the targets."""

from django.db.models import Q
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from ..models import Indicator, IndicatorValue, Target
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


def _year(value):
    if not value.isdigit():
        raise ValidationError({"year": f"“{value}” is not a year."})
    return int(value)


def _choice(name, value, choices):
    if value not in choices.values:
        raise ValidationError({name: f"“{value}” is not one of {', '.join(choices.values)}."})
    return value


DIMENSION = OpenApiParameter(
    "dimension", str, enum=Indicator.Dimension.values, description="economy, environment, society"
)
VALUE_FILTERS = [
    OpenApiParameter("city", str, description="City slug, e.g. minsk"),
    OpenApiParameter("indicator", str, description="Code (EC: I: T: 2A) or slug (ec-i-t-2a)"),
    OpenApiParameter("year", int),
    DIMENSION,
    OpenApiParameter("subseries", str, description="A sub-series name; empty for the headline"),
    OpenApiParameter("source", str, enum=["computed", "cited", "sample"]),
]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Text in the code, names or definitions"),
            DIMENSION,
            OpenApiParameter("tier", str, enum=Indicator.Tier.values),
            OpenApiParameter("framework", str, enum=Indicator.Framework.values),
        ]
    )
)
class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """The indicator catalogue: the ITU U4SSC KPIs and the portal's own."""

    serializer_class = IndicatorSerializer
    lookup_field = "slug"

    def get_queryset(self):
        params = self.request.query_params
        indicators = Indicator.objects.all()
        if q := params.get("q", "").strip():
            indicators = indicators.filter(
                Q(code__icontains=q) | Q(name_be__icontains=q) | Q(name_ru__icontains=q)
                | Q(name_en__icontains=q) | Q(definition_en__icontains=q)
            )  # fmt: skip
        for name, choices in [("dimension", Indicator.Dimension), ("tier", Indicator.Tier),
                              ("framework", Indicator.Framework)]:  # fmt: skip
            if value := params.get(name):
                indicators = indicators.filter(**{name: _choice(name, value, choices)})
        return indicators


@extend_schema_view(list=extend_schema(parameters=VALUE_FILTERS))
class IndicatorValueViewSet(viewsets.ReadOnlyModelViewSet):
    """Indicator values per city and year. `sample` marks demonstration figures."""

    serializer_class = IndicatorValueSerializer

    def get_queryset(self):
        params = self.request.query_params
        values = IndicatorValue.objects.select_related("city", "indicator").order_by(
            "indicator__code", "city__slug", "subseries", "year"
        )
        if city := params.get("city"):
            values = values.filter(city__slug=city)
        if indicator := params.get("indicator"):
            values = values.filter(_indicator_q(indicator, "indicator__"))
        if year := params.get("year"):
            values = values.filter(year=_year(year))
        if dimension := params.get("dimension"):
            values = values.filter(
                indicator__dimension=_choice("dimension", dimension, Indicator.Dimension)
            )
        if "subseries" in params:
            values = values.filter(subseries=params["subseries"])
        if source := params.get("source"):
            kinds = {
                "computed": Q(source="computed"),
                "sample": Q(is_sample=True),
                "cited": ~Q(source="computed") & Q(is_sample=False),
            }
            if source not in kinds:
                raise ValidationError({"source": "Use computed, cited or sample."})
            values = values.filter(kinds[source])
        return values

    @extend_schema(
        parameters=VALUE_FILTERS,
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV")},
    )
    @action(detail=False, url_path="csv", url_name="export", pagination_class=None)
    def export(self, request):
        """The filtered values as CSV, in the columns the admin import reads back."""
        response = HttpResponse(values_csv(self.get_queryset()), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="indicator-values.csv"'
        return response


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("city", str), OpenApiParameter("indicator", str)]
    )
)
class TargetViewSet(viewsets.ReadOnlyModelViewSet):
    """Cities' targets: baseline and target year and value."""

    serializer_class = TargetSerializer

    def get_queryset(self):
        params = self.request.query_params
        targets = Target.objects.select_related("city", "indicator")
        if city := params.get("city"):
            targets = targets.filter(city__slug=city)
        if indicator := params.get("indicator"):
            targets = targets.filter(_indicator_q(indicator, "indicator__"))
        return targets
