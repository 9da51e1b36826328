"""Publishing a layer: a draft (private, or never imported) is looked at on the real layer page,
then published, with a warning first when its last upload reset the style; a published layer
can become a draft again. Mixed into LayerAdmin (whose editable_layer finds the layer or
explains the refusal)."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..styles import note_text
from .display import state_badge


class PublishingMixin:
    actions = ["publish_selected", "make_private"]

    def get_urls(self):
        def view(name, function, route):
            return path(route, self.admin_site.admin_view(function), name=f"layers_layer_{name}")

        return [
            view("publish", self.publish_view, "<int:pk>/publish/"),
            view("unpublish", self.unpublish_view, "<int:pk>/unpublish/"),
            *super().get_urls(),
        ]

    def publish_view(self, request, pk):
        layer, refused = self.editable_layer(request, pk)
        if refused:
            return refused
        if not layer.version:
            messages.error(request, gettext("There is nothing to publish until an import ends."))
            return redirect("admin:layers_layer_change", layer.pk)
        if request.method == "POST":
            self._publish(request, [layer], True)
            return redirect("admin:layers_layer_change", layer.pk)
        notes = layer.import_report.get("style_notes", [])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": layer,
            "title": gettext("Publish “%(layer)s”?") % {"layer": layer},
            "text": gettext("Everyone will see it on the portal, at %(url)s.")
            % {"url": request.build_absolute_uri(layer.get_absolute_url())},
            "warnings": [note_text(n) for n in notes if n.get("reset")],
            "style_url": reverse("admin:layers_layer_style", args=[layer.pk]),
            "button": gettext("Publish"),
        }
        return TemplateResponse(request, "admin/layers/layer/confirm.html", context)

    def unpublish_view(self, request, pk):
        layer, refused = self.editable_layer(request, pk)
        if refused:
            return refused
        if request.method == "POST":
            self._publish(request, [layer], False)
        return redirect("admin:layers_layer_change", layer.pk)

    def _publish(self, request, layers, public):
        for layer in layers:
            layer.is_public = public
            layer.save(update_fields=["is_public", "updated"])
            self.log_change(request, layer, [{"changed": {"fields": ["is_public"]}}])
        if public:
            text = ngettext(
                "Published: everyone can see %(layers)s on the portal.",
                "Published: everyone can see %(layers)s on the portal.",
                len(layers),
            )
        else:
            text = ngettext(
                "%(layers)s is a draft again: only its planners see it.",
                "%(layers)s are drafts again: only their planners see them.",
                len(layers),
            )
        names = ", ".join(f"“{layer}”" for layer in layers)
        messages.success(request, text % {"layers": names})

    @admin.action(description=_("Publish the selected layers"))
    def publish_selected(self, request, queryset):
        ready = [layer for layer in queryset if layer.version]
        if len(ready) < queryset.count():
            messages.warning(request, gettext("Layers still without data were not published."))
        if ready:
            self._publish(request, ready, True)

    @admin.action(description=_("Make the selected layers drafts again"))
    def make_private(self, request, queryset):
        self._publish(request, list(queryset), False)

    @admin.display(description=_("publication"))
    def publication(self, layer):
        state = state_badge(layer)
        if not layer.version:
            return state
        if layer.is_draft:
            explanation = gettext(
                "Look at it on the real layer page (with a “draft” banner), then publish it."
            )
        else:
            explanation = gettext("Everyone sees it on the portal.")
        return format_html('{} <p class="help">{}</p>', state, explanation)
