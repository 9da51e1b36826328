"""The admin of services: categories, services on a map that opens on the planner's city
(planners only in their cities), opening hours filled in as a week, and the import of a CSV or
GeoJSON file. Only the Belarusian name is required: the pages show it where the others are
empty."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from geoportal.gis.files import FileRefused, stored_upload

from ..admin import MapAdmin
from ..models import City, ServiceCategory, ServiceLocation
from ..permissions import can_manage_city, managed_by, managed_city_ids
from ..scoped_admin import CityScopedAdminMixin
from .hours import OpeningHoursField
from .imports import import_services, read_service_file
from .query import city_for_point

# The zoom at which the service map opens on a planner's city.
CITY_ZOOM = 13


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "parent", "icon", "colour"]
    list_filter = ["parent"]
    search_fields = ["slug", "name_be", "name_ru", "name_en"]


class ServiceLocationForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")
    opening_hours = OpeningHoursField(label=_("opening hours"), required=False)

    class Meta:
        model = ServiceLocation
        fields = [
            "name_be", "name_ru", "name_en", "category", "address", "phone", "website", "email",
            "opening_hours", "wheelchair", "location", "source", "external_id",
        ]  # fmt: skip
        help_texts = {
            "name_ru": _("Shown on the Russian pages; the Belarusian name is shown when empty."),
            "name_en": _("Shown on the English pages; the Belarusian name is shown when empty."),
            "location": _("Click the marker button on the map, then the place of the service."),
            "external_id": _("Only for services imported from a file: their number there."),
        }

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
        help_text=format_lazy(
            "{} <code>id, name_be, name_ru, name_en, category, address, phone, website, email, "
            "opening_hours, wheelchair, lon, lat</code>.",
            _("A table (CSV) or GeoJSON points with the columns"),
        ),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("Who published the data. The file replaces the services of this source."),
    )


@admin.register(ServiceLocation)
class ServiceLocationAdmin(CityScopedAdminMixin, MapAdmin):
    form = ServiceLocationForm
    list_display = ["__str__", "category", "city", "city_basis", "address", "wheelchair", "updated"]
    list_filter = ["category", "city", "city_basis", "wheelchair", "source"]
    search_fields = ["name_be", "name_ru", "name_en", "address", "external_id"]
    readonly_fields = ["city", "city_basis", "updated"]
    list_select_related = ["category", "city"]
    change_list_template = "admin/cities/servicelocation/change_list.html"

    fieldsets = [
        (None, {"fields": ["name_be", "name_ru", "name_en", "category", "location"]}),
        (_("Contacts and hours"), {"fields": ["address", "phone", "website", "email",
                                              "opening_hours", "wheelchair"]}),
        (_("Where the data comes from"), {"fields": ["source", "external_id", "city",
                                                     "city_basis", "updated"]}),
    ]  # fmt: skip

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def formfield_for_dbfield(self, db_field, request=None, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "location" and request is not None:
            city = City.objects.filter(managed_by(request.user, "id")).order_by("pk").first()
            if city is not None and managed_city_ids(request.user) is not None:
                # The map opens on the planner's city, not on the whole country.
                field.widget.settings_overrides = {
                    **field.widget.settings_overrides,
                    "DEFAULT_CENTER": (city.location.y, city.location.x),
                    "DEFAULT_ZOOM": CITY_ZOOM,
                }
        return field

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


def home_section(request):
    """The services of the planner's cities on their home page: how many per category, and
    what they can do."""
    ids = managed_city_ids(request.user)
    if (ids is not None and not ids) or not request.user.has_perm("cities.view_servicelocation"):
        return None
    services = ServiceLocation.objects.filter(managed_by(request.user))
    counts = services.values("category__pk").annotate(count=Count("pk")).order_by("-count")
    categories = {c.pk: c for c in ServiceCategory.objects.all()}
    return {
        "template": "admin/home/services.html",
        "title": _("City services"),
        "counts": [(categories[row["category__pk"]], row["count"]) for row in counts],
        "total": services.count(),
        "may_add": request.user.has_perm("cities.add_servicelocation"),
        "add_url": reverse("admin:cities_servicelocation_add"),
        "import_url": reverse("admin:cities_servicelocation_import"),
        "list_url": reverse("admin:cities_servicelocation_changelist"),
    }
