"""The admin of regions and cities. Planners look at the cities (read only) and set the
boundary of the cities they manage from a file; the button and the action are offered only
where they may use them, and a link to another city's boundary page explains why not."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from geoportal.gis.files import FileRefused, stored_upload

from .boundaries import set_boundary_from_file
from .models import City, Region
from .permissions import can_manage_city, managed_city_ids
from .scoped_admin import refuse_change


class MapAdmin(LeafletGeoAdmin):
    """django-leaflet's admin, its map tools in the reader's language."""

    map_template = "admin/leaflet_widget.html"


@admin.register(Region)
class RegionAdmin(MapAdmin):
    list_display = ["__str__", "iso_code", "area_km2"]
    search_fields = ["name_be", "name_ru", "name_en", "iso_code"]
    readonly_fields = ["area_km2"]


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Boundary file"),
        help_text=_(
            "GeoJSON, zipped Shapefile (the .shp with its .shx, .dbf and .prj in one .zip) or "
            "GeoPackage."
        ),
    )
    source = forms.CharField(label=_("Source"), max_length=300, help_text=_("Who published it."))
    # Typed and shown in the reader's format (dd.mm.yyyy in Belarusian and Russian).
    date = forms.DateField(
        label=_("Date"), required=False, widget=AdminDateWidget, help_text=_("When it was adopted.")
    )


@admin.register(City)
class CityAdmin(MapAdmin):
    list_display = ["__str__", "region", "kind", "population", "has_boundary"]
    list_filter = ["kind", "region", "platform_status", ("boundary", admin.EmptyFieldListFilter)]
    search_fields = ["name_be", "name_ru", "name_en", "slug"]
    readonly_fields = ["area_km2", "boundary_source", "boundary_date"]
    actions = ["set_boundary_action"]
    change_form_template = "admin/cities/city/change_form.html"

    @admin.display(boolean=True, description=_("boundary"))
    def has_boundary(self, city):
        return city.has_boundary

    # Planners look at a city (view only) without its raw geometries and technical fields: the
    # portal's city page shows them on a map.
    VIEW_ONLY_HIDDEN = ["location", "boundary", "planners", "osm_node", "geonames_id"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            fields = [name for name in fields if name not in self.VIEW_ONLY_HIDDEN]
        return fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        if managed_city_ids(request.user) == set():
            actions.pop("set_boundary_action", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        may_set = object_id.isdigit() and can_manage_city(request.user, int(object_id))
        city = City.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        extra_context = {
            **(extra_context or {}),
            "may_set_boundary": may_set,
            "public_url": city.get_absolute_url() if city else "",
        }
        return super().change_view(request, object_id, form_url, extra_context)

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
        if not can_manage_city(request.user, city.pk):
            links = [(gettext("See the city on the portal"), city.get_absolute_url())]
            return refuse_change(self, request, city, links=links)
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
            "media": self.media + form.media,
            "opts": self.model._meta,
        }
        return render(request, "admin/cities/city/boundary_form.html", context)


def home_section(request):
    """The planner's cities on their home page: each boundary's state and how to set it."""
    ids = managed_city_ids(request.user)
    if ids is None or not ids:
        return None
    return {
        "template": "admin/home/cities.html",
        "title": _("Your cities"),
        "cities": City.objects.filter(pk__in=ids).order_by("name_be"),
    }
