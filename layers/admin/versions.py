"""A layer's versions in the admin: every import listed with its file (downloadable), outcome and
map; an older version restored, or a failed or stuck import tried again, as a new version
through the one import path (imports.queue.requeue). Mixed into LayerAdmin."""

from django.contrib import admin, messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from geoportal.gis.files import FileRefused

from ..imports.originals import PREVIEW_FEATURES, original_path, preview_path
from ..imports.queue import requeue
from ..imports.recovery import record_failure
from ..models import Layer, LayerVersion
from .display import RUNNING, is_stuck


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


def version_actions(version, layer, with_map=True):
    """What can be done with a version: (label, url) pairs."""
    actions = []

    def url(name):
        return reverse(f"admin:layers_layer_version_{name}", args=[layer.pk, version.pk])

    if with_map and preview_path(version):
        actions.append((gettext("map"), url("map")))
    if original_path(version) is not None:
        if version.status == Layer.Status.FAILED or is_stuck(version):
            actions.append((gettext("try again"), url("retry")))
        elif version.status == Layer.Status.READY and version.number != layer.version:
            actions.append((gettext("restore"), url("restore")))
    return actions


class LayerVersionInline(admin.TabularInline):
    model = LayerVersion
    extra = 0
    can_delete = False
    fields = ["number", "when", "who", "file", "outcome", "attempts", "actions"]
    readonly_fields = fields
    verbose_name_plural = _("versions (uploads)")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by", "restored_from")

    @admin.display(description=_("when"))
    def when(self, version):
        return date_format(timezone.localtime(version.created), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("uploaded by"))
    def who(self, version):
        user = version.created_by
        return (user.get_full_name() or user.get_username()) if user else "—"

    @admin.display(description=_("file"))
    def file(self, version):
        if original_path(version) is None:
            return version.source_filename
        url = reverse("admin:layers_layer_version_original", args=[version.layer_id, version.pk])
        return format_html('<a href="{}" download>{}</a>', url, version.source_filename)

    @admin.display(description=_("outcome"))
    def outcome(self, version):
        if version.status == Layer.Status.FAILED:
            text = version.error_message
        elif version.status in RUNNING:
            text = gettext("stuck") if is_stuck(version) else version.get_status_display()
        else:
            text = report_summary(version.report)
        if version.restored_from_id:
            restored = gettext("restored from version %(number)s") % {
                "number": version.restored_from.number
            }
            return format_html("{} ({})", text, restored)
        return text

    @admin.display(description=_("actions"))
    def actions(self, version):
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            ((url, label) for label, url in version_actions(version, version.layer)),
        )


class VersionAdminMixin:
    """The version pages of a layer admin (whose editable_layer(request, pk) returns the layer
    or the refusal)."""

    inlines = [LayerVersionInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # a new layer has no versions yet

    def get_urls(self):
        def view(name, function, route):
            return path(
                f"<int:pk>/versions/<int:version_pk>/{route}",
                self.admin_site.admin_view(function),
                name=f"layers_layer_version_{name}",
            )

        return [
            view("map", self.version_map_view, ""),
            view("geojson", self.version_geojson, "preview.geojson"),
            view("original", self.version_original, "original/"),
            view("restore", self.version_restore_view, "restore/"),
            view("retry", self.version_retry_view, "retry/"),
            *super().get_urls(),
        ]

    def _version(self, request, pk, version_pk):
        layer, refused = self.editable_layer(request, pk)
        if refused:
            return None, refused
        version = layer.versions.filter(pk=version_pk).select_related("layer").first()
        if version is None:
            raise Http404
        return version, None

    def version_map_view(self, request, pk, version_pk):
        version, refused = self._version(request, pk, version_pk)
        if refused:
            return refused
        layer = version.layer
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": layer,
            "version": version,
            "title": gettext("Version %(number)s of “%(layer)s”")
            % {"number": version.number, "layer": layer},
            "summary": report_summary(version.report),
            "preview_url": reverse(
                "admin:layers_layer_version_geojson", args=[layer.pk, version.pk]
            )
            if preview_path(version)
            else "",
            "limit": PREVIEW_FEATURES,
            "actions": version_actions(version, layer, with_map=False),
        }
        return TemplateResponse(request, "admin/layers/layer/version.html", context)

    def version_geojson(self, request, pk, version_pk):
        version, refused = self._version(request, pk, version_pk)
        preview = None if refused else preview_path(version)
        if preview is None:
            raise Http404
        return FileResponse(open(preview, "rb"), content_type="application/geo+json")

    def version_original(self, request, pk, version_pk):
        version, refused = self._version(request, pk, version_pk)
        if refused:
            return refused
        original = original_path(version)
        if original is None:
            raise Http404
        return FileResponse(
            open(original, "rb"), as_attachment=True, filename=version.source_filename
        )

    def version_restore_view(self, request, pk, version_pk):
        return self._requeue_view(
            request,
            pk,
            version_pk,
            allowed=lambda v: v.status == Layer.Status.READY and v.number != v.layer.version,
            title=gettext("Restore version %(number)s of “%(layer)s”?"),
            text=gettext(
                "Its file is imported again as a new version, which replaces the layer's "
                "features once it has been read in full. The newer versions stay in the list."
            ),
            button=gettext("Restore"),
        )

    def version_retry_view(self, request, pk, version_pk):
        return self._requeue_view(
            request,
            pk,
            version_pk,
            allowed=lambda v: v.status == Layer.Status.FAILED or is_stuck(v),
            title=gettext("Try the upload of version %(number)s of “%(layer)s” again?"),
            text=gettext("Its file is imported again as a new version."),
            button=gettext("Try again"),
        )

    def _requeue_view(self, request, pk, version_pk, *, allowed, title, text, button):
        version, refused = self._version(request, pk, version_pk)
        if refused:
            return refused
        layer = version.layer
        if not allowed(version):
            messages.error(request, gettext("This cannot be done with this version now."))
            return redirect("admin:layers_layer_change", layer.pk)
        if request.method == "POST":
            if version.status in RUNNING:
                record_failure(
                    layer.pk,
                    version.pk,
                    gettext("Stopped: it did not finish, and was tried again."),
                )
            try:
                new = requeue(version, request.user)
            except FileRefused as exc:
                messages.error(request, str(exc))
            else:
                messages.info(
                    request,
                    gettext(
                        "Version %(new)s is being imported from the file of version "
                        "%(old)s; this page shows the progress."
                    )
                    % {"new": new.number, "old": version.number},
                )
            return redirect("admin:layers_layer_change", layer.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": layer,
            "title": title % {"number": version.number, "layer": layer},
            "text": text,
            "button": button,
        }
        return TemplateResponse(request, "admin/layers/layer/confirm.html", context)
