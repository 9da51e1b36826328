"""Admin for the indicators: the catalogue, values (CSV import and export, recomputation of the
computed KPIs) and targets. Planners see and change only their cities' values and targets.
Numbers are typed the local way (37,5 or 37.5) with the indicator's unit beside them, and
checked against the indicator's range (percentages 0-100)."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from geoportal.form_fields import LocalFloatField
from geoportal.gis.files import FileRefused

from ..models import City, Indicator, IndicatorValue, Target
from ..models.indicators import COMPUTED
from ..permissions import managed_by, managed_city_ids
from ..scoped_admin import CityScopedAdminMixin
from .exports import values_csv
from .imports import import_values
from .kpis import recompute


def indicator_units():
    """{indicator id: {unit, range, direction}} in words, for the value forms' script, which
    puts the chosen indicator's unit beside the numbers and its range and direction after it."""
    directions = {True: gettext("higher is better"), False: gettext("lower is better")}
    units = {}
    for indicator in Indicator.objects.all():
        low, high = indicator.value_range
        allowed = (
            gettext("from %(low)s to %(high)s") % {"low": low, "high": high}
            if high is not None
            else gettext("%(low)s or more") % {"low": low}
        )
        units[str(indicator.pk)] = {
            "unit": indicator.unit,
            "note": ", ".join(filter(None, [allowed, directions.get(indicator.higher_is_better)])),
        }
    return units


class NumbersWithUnitsAdmin(CityScopedAdminMixin, admin.ModelAdmin):
    """Values and targets: local numbers, units beside them, the direction of the indicator."""

    formfield_overrides = {models.FloatField: {"form_class": LocalFloatField}}
    change_form_template = "admin/cities/indicatorvalue/change_form.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "indicator_units": indicator_units()}
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "__str__", "dimension", "sub_dimension", "category", "tier", "kind"]
    list_filter = ["framework", "dimension", "sub_dimension", "tier", "kind"]
    search_fields = ["code", "name_be", "name_ru", "name_en"]
    readonly_fields = ["slug"]


class ValueImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=format_lazy(
            "{} <code>city, indicator, year, value, source</code>; {} <code>subseries, verified, "
            "sample</code>. {}",
            _("A table (CSV) with the columns"),
            _("if needed also"),
            _("Text in Unicode; columns separated by commas, semicolons or tabs."),
        ),
    )


@admin.register(IndicatorValue)
class IndicatorValueAdmin(NumbersWithUnitsAdmin):
    list_display = ["indicator", "city", "year", "subseries", "value_with_unit", "source_words",
                    "is_sample", "verified", "approximate"]  # fmt: skip
    list_filter = ["indicator__dimension", "is_sample", "verified", "approximate", "year", "city"]
    search_fields = ["indicator__code", "indicator__name_en", "city__name_en", "source"]
    list_select_related = ["indicator", "city"]
    autocomplete_fields = ["indicator"]
    readonly_fields = ["method", "approximate", "computed_at", "updated"]
    actions = ["export_csv", "recompute_cities"]
    change_list_template = "admin/cities/indicatorvalue/change_list.html"

    @admin.display(description=_("value"), ordering="value")
    def value_with_unit(self, value):
        return f"{formats.localize(value.value)} {value.indicator.unit}"

    @admin.display(description=_("source"), ordering="source")
    def source_words(self, value):
        return gettext("computed by the portal") if value.source == COMPUTED else value.source

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="cities_indicatorvalue_import",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Export the selected values as CSV"))
    def export_csv(self, request, queryset):
        response = HttpResponse(values_csv(queryset), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="indicator-values.csv"'
        return response

    @admin.action(description=_("Recompute the computed KPIs of these values' cities"))
    def recompute_cities(self, request, queryset):
        cities = City.objects.filter(id__in=queryset.values("city_id")).filter(
            managed_by(request.user, "id")
        )
        report = recompute(cities)
        self.message_user(
            request,
            ngettext(
                "%(saved)d computed value saved for %(cities)d cities.",
                "%(saved)d computed values saved for %(cities)d cities.",
                len(report.saved),
            )
            % {"saved": len(report.saved), "cities": cities.count()},
        )
        for city, skip in report.skipped:
            self.message_user(
                request, f"{city.name}: {skip.code} not computed: {skip.reason}", messages.WARNING
            )

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = ValueImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            try:
                result = import_values(form.cleaned_data["file"].read(), user=request.user)
            except FileRefused as exc:
                errors = exc.problems
                form.add_error("file", _("Nothing was imported: fix the rows below and retry."))
            else:
                self.message_user(
                    request,
                    _("Imported: %(created)d new values, %(updated)d updated.")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect(reverse("admin:cities_indicatorvalue_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import indicator values from CSV"),
            "form": form,
            "errors": errors,
            "opts": self.model._meta,
        }
        return render(request, "admin/cities/indicatorvalue/import_form.html", context)


@admin.register(Target)
class TargetAdmin(NumbersWithUnitsAdmin):
    list_display = ["indicator", "city", "baseline_year", "baseline_value", "target_year",
                    "target_value", "is_sample"]  # fmt: skip
    list_filter = ["indicator__dimension", "is_sample", "city"]
    search_fields = ["indicator__code", "indicator__name_en", "city__name_en"]
    list_select_related = ["indicator", "city"]
    autocomplete_fields = ["indicator"]


def home_section(request):
    """The indicator values of the planner's cities on their home page: how many, the latest
    year, and what they can do."""
    ids = managed_city_ids(request.user)
    if (ids is not None and not ids) or not request.user.has_perm("cities.view_indicatorvalue"):
        return None
    values = IndicatorValue.objects.filter(managed_by(request.user))
    return {
        "template": "admin/home/indicators.html",
        "title": _("Indicator values"),
        "total": values.count(),
        "latest_year": values.aggregate(year=Max("year"))["year"],
        "samples": values.filter(is_sample=True).count(),
        "may_add": request.user.has_perm("cities.add_indicatorvalue"),
        "add_url": reverse("admin:cities_indicatorvalue_add"),
        "import_url": reverse("admin:cities_indicatorvalue_import"),
        "list_url": reverse("admin:cities_indicatorvalue_changelist"),
    }
