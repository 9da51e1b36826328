"""The planners' layer admin: upload a file as a draft, follow its import, read the report,
preview it on the real layer page, publish it; re-upload; each layer's state, last import,
legend and style one click away. Planners see and change only their own cities' layers
(layers/permissions.py); a link to another city's layer explains whose it is."""

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cities.scoped_admin import refuse_change
from geoportal.gis.files import FileRefused

from ..imports.originals import PREVIEW_FEATURES
from ..imports.queue import queue_import, requeue
from ..models import Layer
from ..permissions import can_edit_layer, can_view_layer, editable_layers, is_planner
from ..queries import FeatureQuery, feature_collection
from ..styles import note_text
from .display import geometry_words, last_import, latest_version, legend_swatches, state_badge
from .display import with_latest_version as with_latest
from .forms import CRS_CHOICES, OPTION_FIELDS, LayerForm
from .publishing import PublishingMixin
from .style import StyleAdminMixin
from .versions import VersionAdminMixin

DESCRIPTION = [
    "title_be",
    "title_ru",
    "title_en",
    "city",
    "topic_category",
    "abstract_be",
    "abstract_ru",
    "abstract_en",
]
MORE = ["keywords", "licence", "attribution", "slug", "column_labels"]
RETRY_WITH_OPTIONS = _(
    "If the last upload failed because the file needs one of these, state it and save: the "
    "same file is imported again, without choosing it again."
)
FACTS = [
    "source_filename",
    "source_format",
    "source_crs_words",
    "geometry",
    "attribute_list",
    "time_attribute",
    "feature_count",
    "version",
    "owner_name",
    "created",
    "updated",
]


@admin.register(Layer)
class LayerAdmin(PublishingMixin, StyleAdminMixin, VersionAdminMixin, admin.ModelAdmin):
    form = LayerForm
    list_display = ["__str__", "state", "last_import", "legend", "style_link", "city", "updated"]
    list_filter = [("city", admin.RelatedOnlyFieldListFilter), "is_public", "topic_category"]
    search_fields = ["title_be", "title_ru", "title_en", "slug"]
    list_select_related = ["city", "owner"]
    readonly_fields = ["publication", "import_status", "report", "map_preview", *FACTS]
    change_form_template = "admin/layers/layer/change_form.html"

    def get_fieldsets(self, request, obj=None):
        upload = (
            _("File") if obj is None else _("Upload a new file"),
            {"fields": ["file", "kept_upload"]},
        )
        options = (
            _("If the file is not read correctly"),
            {"fields": OPTION_FIELDS, "classes": ["collapse"]},
        )
        latest = latest_version(obj) if obj is not None else None
        if latest is not None and latest.status == Layer.Status.FAILED:
            # Open, saying how to import the failed file again with what it needs.
            options = (options[0], {"fields": OPTION_FIELDS, "description": RETRY_WITH_OPTIONS})
        description = (_("Description"), {"fields": DESCRIPTION})
        more = (_("More about the layer"), {"fields": MORE, "classes": ["collapse"]})
        if obj is None:
            return [upload, options, description, more]
        state = (_("State"), {"fields": ["publication", "import_status", "report", "map_preview"]})
        facts = (_("Data"), {"fields": FACTS, "classes": ["collapse"]})
        editing = (
            _("Editing in place"),
            {"fields": ["attribute_choices"], "classes": ["collapse"]},
        )
        return [state, description, upload, options, more, editing, facts]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class WithUser(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return WithUser

    def get_queryset(self, request):
        return with_latest(editable_layers(request.user, super().get_queryset(request)))

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

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django's "does not exist, perhaps deleted" for a layer that exists but is another
        # city's: say whose it is instead.
        layer = Layer.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if layer is None:
            return super()._get_obj_does_not_exist_redirect(request, opts, object_id)
        return self.refuse(request, layer)

    def refuse(self, request, layer):
        whose = None
        if layer.city is None:
            whose = (
                gettext("It was uploaded by %(owner)s, who manages it with the portal editors.")
                % {"owner": layer.owner.get_full_name() or layer.owner.get_username()}
                if layer.owner
                else gettext("It is a national layer, managed by the portal editors.")
            )
        public = [(gettext("See it on the portal"), layer.get_absolute_url())]
        return refuse_change(
            self,
            request,
            layer,
            whose=whose,
            links=public if can_view_layer(request.user, layer) else [],
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owner = request.user
        super().save_model(request, obj, form, change)
        if form.received is not None:
            queue_import(obj, form.received, form.kept_name, request.user)
            messages.info(
                request,
                gettext("%(file)s is being imported; this page shows the progress.")
                % {"file": form.kept_name},
            )
        elif change and form.states_options():
            self._import_again_with_options(request, obj, form)

    def _import_again_with_options(self, request, layer, form):
        """A failed upload whose file needs an option (its coordinate system, its layer): the
        planner states it without choosing the file again, and its kept file is imported anew."""
        failed = latest_version(layer)
        if failed is None or failed.status != Layer.Status.FAILED:
            return
        try:
            requeue(failed, request.user, form.options())
        except FileRefused as exc:
            messages.error(request, str(exc))
            return
        messages.info(
            request,
            gettext("The file %(file)s is being imported again with what you stated.")
            % {"file": failed.source_filename},
        )

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        return self._to_layer_page(request, obj, response)

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        return self._to_layer_page(request, obj, response)

    def _to_layer_page(self, request, obj, response):
        """After saving, the layer's admin page, where the import's progress and the next steps
        (preview, publish, style) show."""
        if "_addanother" in request.POST or IS_POPUP_VAR in request.POST:
            return response
        return HttpResponseRedirect(reverse("admin:layers_layer_change", args=[obj.pk]))

    def get_deleted_objects(self, objs, request):
        """One line per layer with the number of its features and versions, instead of Django's
        list of every feature (millions, each loaded to be listed)."""
        layers = list(objs)
        lines = [
            gettext("%(layer)s, with its %(features)s features and %(versions)s versions")
            % {"layer": layer, "features": layer.feature_count, "versions": layer.versions.count()}
            for layer in layers
        ]
        count = {Layer._meta.verbose_name_plural: len(layers)}
        refused = (
            {str(Layer._meta.verbose_name)}
            if any(not self.has_delete_permission(request, layer) for layer in layers)
            else set()
        )
        return lines, count, refused, []

    def get_urls(self):
        def view(name, function, route):
            return path(route, self.admin_site.admin_view(function), name=f"layers_layer_{name}")

        return [
            view("preview", self.preview_geojson, "<int:pk>/preview.geojson"),
            *super().get_urls(),
        ]

    def editable_layer(self, request, pk):
        """The layer to act on, or the response that refuses (404, or whose it is)."""
        layer = self.get_queryset(request).filter(pk=pk).first()
        if layer is not None:
            return layer, None
        other = Layer.objects.filter(pk=pk).first()
        if other is None:
            raise Http404
        return None, self.refuse(request, other)

    def preview_geojson(self, request, pk):
        layer = self.get_queryset(request).filter(pk=pk).first()
        if layer is None:
            raise Http404
        features = FeatureQuery(layer).geojson_features(limit=PREVIEW_FEATURES)
        return StreamingHttpResponse(
            feature_collection(features), content_type="application/geo+json"
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        layer = (
            self.get_queryset(request).filter(pk=object_id).first() if object_id.isdigit() else None
        )
        if layer is not None:
            extra_context = {
                **(extra_context or {}),
                "layer_tools": self._tools(layer),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _tools(self, layer):
        """The buttons above the form: (label, url, method, tooltip)."""
        tools = [
            (
                gettext("Style and legend"),
                reverse("admin:layers_layer_style", args=[layer.pk]),
                "get",
            )
        ]
        if layer.version:
            tools.append((gettext("Open the layer page"), layer.get_absolute_url(), "get"))
            if layer.is_public:
                tools.append(
                    (
                        gettext("Make it a draft again"),
                        reverse("admin:layers_layer_unpublish", args=[layer.pk]),
                        "post",
                    )
                )
            else:
                tools.append(
                    (
                        gettext("Publish…"),
                        reverse("admin:layers_layer_publish", args=[layer.pk]),
                        "get",
                    )
                )
        return tools

    @admin.display(description=_("state"))
    def state(self, layer):
        return state_badge(layer)

    @admin.display(description=_("last upload"))
    def last_import(self, layer):
        return last_import(latest_version(layer))

    @admin.display(description=_("legend"))
    def legend(self, layer):
        return legend_swatches(layer)

    @admin.display(description=_("style"))
    def style_link(self, layer):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:layers_layer_style", args=[layer.pk]),
            gettext("Style"),
        )

    @admin.display(description=_("import"))
    def import_status(self, layer):
        return format_html(
            '<div class="layer-import" data-api="{}" data-status="{}">'
            '<strong class="layer-import-status">{}</strong> '
            '<progress max="100" value="{}"></progress> <span class="layer-import-progress">{}%'
            '</span><p class="layer-import-error errornote"{}>{}</p></div>',
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
            (gettext("repaired (broken shapes mended)"), report.get("repaired")),
            (gettext("skipped"), report.get("skipped")),
        ]
        rows += [(gettext(reason), count) for reason, count in report["skipped_reasons"].items()]
        if report.get("skipped_feature_ids"):
            ids = ", ".join(map(str, report["skipped_feature_ids"]))
            rows.append((gettext("numbers of skipped features (first 10)"), ids))
        rows += [(gettext("warning"), text) for text in report.get("warnings", [])]
        rows += [(gettext("style"), note_text(note)) for note in report.get("style_notes", [])]
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
            '<div id="layer-preview" class="admin-map" data-url="{}" data-limit="{}"></div>'
            '<p class="help">{}</p>',
            reverse("admin:layers_layer_preview", args=[layer.pk]),
            PREVIEW_FEATURES,
            gettext("The first %(limit)s features.") % {"limit": PREVIEW_FEATURES}
            if layer.feature_count > PREVIEW_FEATURES
            else "",
        )

    @admin.display(description=_("coordinate system of the file"))
    def source_crs_words(self, layer):
        if not layer.source_crs:
            return "—"
        words = {value: words for value, words, _title in CRS_CHOICES if value.startswith("EPSG")}
        known = words.get(layer.source_crs, gettext("another coordinate system"))
        return format_html('<span title="{}">{}</span>', layer.source_crs, known)

    @admin.display(description=_("kind of shapes"))
    def geometry(self, layer):
        return geometry_words(layer)

    @admin.display(description=_("attributes"))
    def attribute_list(self, layer):
        return ", ".join(a["name"] for a in layer.attributes) or "-"

    @admin.display(description=_("uploaded by"))
    def owner_name(self, layer):
        # Text, not Django's link to the user's admin page, which planners may not open.
        if layer.owner is None:
            return "—"
        return layer.owner.get_full_name() or layer.owner.get_username()
