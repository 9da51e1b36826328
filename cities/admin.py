from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from geoportal.gis.files import FileRefused, stored_upload

from .boundaries import set_boundary_from_file
from .models import City, Region


@admin.register(Region)
class RegionAdmin(LeafletGeoAdmin):
    list_display = ["name_en", "name_be", "name_ru", "iso_code", "area_km2"]
    search_fields = ["name_be", "name_ru", "name_en", "iso_code"]
    readonly_fields = ["area_km2"]


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Boundary file"),
        help_text=_("GeoJSON, zipped Shapefile (.zip with .shp, .shx, .dbf, .prj) or GeoPackage."),
    )
    source = forms.CharField(label=_("Source"), max_length=300, help_text=_("Who published it."))
    date = forms.DateField(label=_("Date"), required=False, help_text=_("YYYY-MM-DD"))


@admin.register(City)
class CityAdmin(LeafletGeoAdmin):
    list_display = ["name_en", "name_be", "region", "kind", "population", "has_boundary"]
    list_filter = ["kind", "region", "platform_status", ("boundary", admin.EmptyFieldListFilter)]
    search_fields = ["name_be", "name_ru", "name_en", "slug"]
    readonly_fields = ["area_km2", "boundary_source", "boundary_date"]
    actions = ["set_boundary_action"]
    change_form_template = "admin/cities/city/change_form.html"

    @admin.display(boolean=True, description=_("boundary"))
    def has_boundary(self, city):
        return city.has_boundary

    def get_urls(self):
        return [
            path(
                "<int:pk>/boundary/",
                self.admin_site.admin_view(self.boundary_view),
                name="cities_city_boundary",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Set the boundary from a file"))
    def set_boundary_action(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one city."), messages.ERROR)
            return None
        return redirect("admin:cities_city_boundary", queryset.get().pk)

    def boundary_view(self, request, pk):
        city = get_object_or_404(City, pk=pk)
        if not self.has_change_permission(request, city):
            return redirect("admin:index")
        form = BoundaryUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                with stored_upload(upload) as path:
                    set_boundary_from_file(
                        city, path, form.cleaned_data["source"], form.cleaned_data["date"]
                    )
            except FileRefused as exc:
                form.add_error("file", str(exc))
            else:
                self.message_user(request, _("Boundary of %s set.") % city.name)
                return redirect(reverse("admin:cities_city_change", args=[city.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set the boundary of %s") % city.name,
            "city": city,
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/cities/city/boundary_form.html", context)
