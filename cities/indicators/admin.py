"""Admin for the indicators: the catalogue, values (CSV import and export, recomputation of the
computed KPIs) and targets. Planners see and change only their cities' values and targets."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from geoportal.gis.files import FileRefused

from ..models import City, Indicator, IndicatorValue, Target
from ..permissions import managed_by
from ..scoped_admin import CityScopedAdminMixin
from .exports import values_csv
from .imports import import_values
from .kpis import recompute


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "dimension", "sub_dimension", "category", "tier", "kind"]
    list_filter = ["framework", "dimension", "sub_dimension", "tier", "kind"]
    search_fields = ["code", "name_be", "name_ru", "name_en"]
    readonly_fields = ["slug"]


class ValueImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: city (slug), indicator (code or slug), year, value, source; optional "
            "subseries, verified, sample (yes/no). UTF-8; comma, semicolon or tab separated."
        ),
    )


@admin.register(IndicatorValue)
class IndicatorValueAdmin(CityScopedAdminMixin, admin.ModelAdmin):
    list_display = ["indicator", "city", "year", "subseries", "value", "source", "is_sample",
                    "verified", "approximate"]  # fmt: skip
    list_filter = ["indicator__dimension", "is_sample", "verified", "approximate", "year", "city"]
    search_fields = ["indicator__code", "indicator__name_en", "city__name_en", "source"]
    list_select_related = ["indicator", "city"]
    autocomplete_fields = ["indicator"]
    readonly_fields = ["method", "approximate", "computed_at", "updated"]
    actions = ["export_csv", "recompute_cities"]
    change_list_template = "admin/cities/indicatorvalue/change_list.html"

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
class TargetAdmin(CityScopedAdminMixin, admin.ModelAdmin):
    list_display = ["indicator", "city", "baseline_year", "baseline_value", "target_year",
                    "target_value", "is_sample"]  # fmt: skip
    list_filter = ["indicator__dimension", "is_sample", "city"]
    search_fields = ["indicator__code", "indicator__name_en", "city__name_en"]
    list_select_related = ["indicator", "city"]
    autocomplete_fields = ["indicator"]
