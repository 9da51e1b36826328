"""The admin of services: categories, services on a map (planners only in their cities) and
the import of a CSV or GeoJSON file."""

from django import forms
from django.contrib import admin
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from geoportal.gis.files import FileRefused, stored_upload

from ..models import ServiceCategory, ServiceLocation
from ..permissions import can_manage_city, managed_city_ids
from ..scoped_admin import CityScopedAdminMixin
from .imports import import_services, read_service_file
from .query import city_for_point


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_be", "name_ru", "name_en", "parent", "icon", "colour"]
    list_filter = ["parent"]
    search_fields = ["slug", "name_be", "name_ru", "name_en"]


class ServiceLocationForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = ServiceLocation
        fields = [
            "name_be", "name_ru", "name_en", "category", "address", "phone", "website", "email",
            "opening_hours", "wheelchair", "location", "source", "external_id",
        ]  # fmt: skip

    # The admin sets the user of the request (get_form), whose cities bound where points may go.
    user = None

    def clean(self):
        cleaned = super().clean()
        point = cleaned.get("location")
        if point is not None and self.user is not None:
            city_id, _basis = city_for_point(point)
            if not can_manage_city(self.user, city_id):
                self.add_error("location", _("This point is outside the cities you manage."))
        return cleaned


class ServiceImportForm(forms.Form):
    file = forms.FileField(
        label=_("Services file"),
        help_text=_(
            "CSV with lon and lat columns, or GeoJSON points. Columns: id, name_be, name_ru, "
            "name_en, category (slug), address, phone, website, email, opening_hours, wheelchair."
        ),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("Who published the data. The file replaces the services of this source."),
    )


@admin.register(ServiceLocation)
class ServiceLocationAdmin(CityScopedAdminMixin, LeafletGeoAdmin):
    form = ServiceLocationForm
    list_display = ["name_be", "category", "city", "city_basis", "address", "wheelchair", "updated"]
    list_filter = ["category", "city", "city_basis", "wheelchair", "source"]
    search_fields = ["name_be", "name_ru", "name_en", "address", "external_id"]
    readonly_fields = ["city", "city_basis", "updated"]
    list_select_related = ["category", "city"]
    change_list_template = "admin/cities/servicelocation/change_list.html"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="cities_servicelocation_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = ServiceImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            user = None if managed_city_ids(request.user) is None else request.user
            try:
                with stored_upload(form.cleaned_data["file"]) as path:
                    report = import_services(
                        read_service_file(path), source=form.cleaned_data["source"], user=user
                    )
            except FileRefused as exc:
                for message in exc.messages:
                    form.add_error("file", message)
            else:
                self.message_user(request, _("Services imported: %s.") % report)
                return redirect("admin:cities_servicelocation_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import services"),
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/cities/servicelocation/import_form.html", context)
