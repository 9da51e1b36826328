"""The planners' tool: upload a file as a layer, follow its import, read the report, preview the
map, re-upload. Planners see and change only their own cities' layers (layers/permissions.py)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cities.models import City
from cities.permissions import managed_city_ids
from geoportal.gis.files import FileRefused
from geoportal.gis.inspect import ImportOptions

from .imports.queue import new_layer_slug, queue_import, receive_upload
from .models import Layer, LayerVersion
from .permissions import can_edit_layer, editable_layers, is_planner
from .queries import FeatureQuery
from .style_admin import StyleAdminMixin

# The map preview draws at most this many features: enough to judge the data at a glance.
PREVIEW_FEATURES = 2000
OPTION_FIELDS = ["crs", "encoding", "layer_name", "x_column", "y_column", "wkt_column"]


class LayerForm(forms.ModelForm):
    file = forms.FileField(
        label=_("file"),
        required=False,
        help_text=_(
            "Zipped Shapefile (.zip with .shp, .shx, .dbf, .prj), GeoJSON, GeoPackage, KML, KMZ, "
            "CSV (longitude/latitude or WKT columns), FlatGeobuf or GPX. A new file replaces "
            "the layer's features once it has been imported in full."
        ),
    )
    crs = forms.CharField(
        label=_("source CRS"),
        required=False,
        help_text=_("Only if the file has none or a wrong one, e.g. EPSG:32635 (UTM zone 35N)."),
    )
    encoding = forms.CharField(
        label=_("attribute encoding"),
        required=False,
        help_text=_("Detected when empty; e.g. UTF-8 or CP1251."),
    )
    layer_name = forms.CharField(
        label=_("layer in the file"),
        required=False,
        help_text=_("For a file with several layers (GeoPackage tables, Shapefiles in a zip)."),
    )
    x_column = forms.CharField(label=_("CSV longitude (X) column"), required=False)
    y_column = forms.CharField(label=_("CSV latitude (Y) column"), required=False)
    wkt_column = forms.CharField(label=_("CSV WKT column"), required=False)

    class Meta:
        model = Layer
        fields = [
            "title_be", "title_ru", "title_en", "abstract_be", "abstract_ru", "abstract_en",
            "slug", "keywords", "topic_category", "city", "is_public", "licence", "attribution",
        ]  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Made from the title when empty.")
        ids = managed_city_ids(user) if user is not None else None
        if ids is not None:
            self.fields["city"].queryset = City.objects.filter(pk__in=ids)
            self.fields["city"].required = True
        if self.instance.pk is None:
            self.fields["file"].required = True

    def options(self):
        return ImportOptions.from_dict(
            {name: self.cleaned_data.get(name) for name in OPTION_FIELDS}
        )

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if not slug:
            title = self.cleaned_data.get("title_en") or self.data.get("title_be", "")
            slug = new_layer_slug(title)
        return slug

    # The upload, saved where the worker reads it and inspected (clean), for save_model to queue.
    received = None

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload and not self.errors:
            # Refuse a bad file here, with the reason, rather than in the worker's report.
            try:
                self.received = receive_upload(upload, self.options())
            except FileRefused as exc:
                self.add_error("file", str(exc))
        return cleaned


class LayerVersionInline(admin.TabularInline):
    model = LayerVersion
    extra = 0
    can_delete = False
    fields = ["number", "created", "created_by", "source_filename", "status", "summary"]
    readonly_fields = fields
    verbose_name_plural = _("versions (imports)")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("report"))
    def summary(self, version):
        return version.error_message or report_summary(version.report)


def report_summary(report):
    if not report:
        return ""
    text = gettext("%(imported)s of %(read)s features imported, %(repaired)s repaired") % report
    reasons = report.get("skipped_reasons") or {}
    if reasons:
        # The report stores the reasons in English; they are shown in the reader's language.
        skipped = ", ".join(f"{count} {gettext(reason)}" for reason, count in reasons.items())
        text += "; " + gettext("skipped: %(reasons)s") % {"reasons": skipped}
    return text


@admin.register(Layer)
class LayerAdmin(StyleAdminMixin, admin.ModelAdmin):
    form = LayerForm
    list_display = [
        "__str__", "status_display", "feature_count", "topic_category", "city", "owner",
        "is_public", "updated",
    ]  # fmt: skip
    list_filter = [
        "status",
        "topic_category",
        ("city", admin.RelatedOnlyFieldListFilter),
        "is_public",
    ]
    search_fields = ["title_be", "title_ru", "title_en", "slug"]
    list_select_related = ["city", "owner"]
    inlines = [LayerVersionInline]
    readonly_fields = [
        "import_status", "report", "map_preview", "source_filename", "source_format",
        "source_crs", "geometry_type", "attribute_list", "feature_count", "version", "owner",
        "created", "updated",
    ]  # fmt: skip
    change_form_template = "admin/layers/layer/change_form.html"

    def get_fieldsets(self, request, obj=None):
        upload = (
            _("File") if obj is None else _("Re-upload"),
            {"fields": ["file", *OPTION_FIELDS]},
        )
        description = (
            _("Description"),
            {
                "fields": [
                    "title_be", "title_ru", "title_en", "abstract_be", "abstract_ru",
                    "abstract_en", "slug", "keywords", "topic_category", "city", "is_public",
                    "licence", "attribution",
                ]
            },
        )  # fmt: skip
        if obj is None:
            return [description, upload]
        state = (
            _("Import"),
            {"fields": ["import_status", "report", "map_preview"]},
        )
        source = (
            _("Data"),
            {
                "fields": [
                    "source_filename", "source_format", "source_crs", "geometry_type",
                    "attribute_list", "feature_count", "version", "owner", "created", "updated",
                ]
            },
        )  # fmt: skip
        return [state, description, upload, source]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class WithUser(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return WithUser

    def get_queryset(self, request):
        return editable_layers(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return is_planner(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_add_permission(self, request):
        return is_planner(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return is_planner(request.user)
        return can_edit_layer(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owner = request.user
        super().save_model(request, obj, form, change)
        upload = form.cleaned_data.get("file")
        if form.received is not None:
            queue_import(obj, form.received, upload.name, request.user)
            messages.info(
                request,
                gettext("%(file)s is being imported; this page shows the progress.")
                % {"file": upload.name},
            )

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        return self._to_layer_page(request, obj, response)

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        return self._to_layer_page(request, obj, response) if request.FILES else response

    def _to_layer_page(self, request, obj, response):
        """After an upload, the layer's page, where the import's progress shows."""
        if "_addanother" in request.POST or IS_POPUP_VAR in request.POST:
            return response
        return HttpResponseRedirect(reverse("admin:layers_layer_change", args=[obj.pk]))

    def get_urls(self):
        preview = path(
            "<int:pk>/preview.geojson",
            self.admin_site.admin_view(self.preview_geojson),
            name="layers_layer_preview",
        )
        return [preview, *super().get_urls()]

    def preview_geojson(self, request, pk):
        layer = self.get_queryset(request).filter(pk=pk).first()
        if layer is None:
            raise Http404
        features = FeatureQuery(layer).geojson_features(limit=PREVIEW_FEATURES)

        def body():
            yield '{"type":"FeatureCollection","features":['
            for index, feature in enumerate(features):
                yield ("," if index else "") + feature
            yield "]}"

        return StreamingHttpResponse(body(), content_type="application/geo+json")

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, layer):
        if layer.status == Layer.Status.IMPORTING:
            return f"{layer.get_status_display()} {layer.progress}%"
        return layer.get_status_display()

    @admin.display(description=_("status"))
    def import_status(self, layer):
        return format_html(
            '<div class="layer-import" data-api="{}" data-status="{}">'
            '<strong class="layer-import-status">{}</strong> '
            '<progress max="100" value="{}"></progress> <span class="layer-import-progress">{}%'
            '</span><p class="layer-import-error" style="color: var(--error-fg)"{}>{}</p></div>',
            reverse("layer-detail", args=[layer.slug]),
            layer.status,
            layer.get_status_display(),
            layer.progress,
            layer.progress,
            "" if layer.error_message else " hidden",
            layer.error_message,
        )

    @admin.display(description=_("import report"))
    def report(self, layer):
        report = layer.import_report
        if not report:
            return "-"
        rows = [
            (gettext("features read"), report.get("read")),
            (gettext("imported"), report.get("imported")),
            (gettext("repaired (invalid geometry)"), report.get("repaired")),
            (gettext("skipped"), report.get("skipped")),
        ]
        rows += [(gettext(reason), count) for reason, count in report["skipped_reasons"].items()]
        if report.get("skipped_feature_ids"):
            ids = ", ".join(map(str, report["skipped_feature_ids"]))
            rows.append((gettext("skipped feature ids (first 10)"), ids))
        rows += [(gettext("warning"), text) for text in report.get("warnings", [])]
        rows.append((gettext("seconds"), report.get("seconds")))
        return format_html(
            '<table class="layer-report">{}</table>',
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )

    @admin.display(description=_("map preview"))
    def map_preview(self, layer):
        if not layer.feature_count:
            return "-"
        return format_html(
            '<div id="layer-preview" style="height: 360px; width: 720px; max-width: 100%" '
            'data-url="{}" data-limit="{}"></div><p class="help">{}</p>',
            reverse("admin:layers_layer_preview", args=[layer.pk]),
            PREVIEW_FEATURES,
            gettext("The first %(limit)s features.") % {"limit": PREVIEW_FEATURES}
            if layer.feature_count > PREVIEW_FEATURES
            else "",
        )

    @admin.display(description=_("attributes"))
    def attribute_list(self, layer):
        return ", ".join(f"{a['name']} ({a['type']})" for a in layer.attributes) or "-"
