"""The planners' style editor: an admin page per layer (admin/layers/layer/<id>/style/) with a
form, a live map preview and the legend, all drawn from the style JSON that layers/styles.py
validates. Mixed into LayerAdmin."""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .maps import layer_map_config
from .styles import (
    MAX_CLASSES,
    RAMPS,
    clean_style,
    effective_style,
    legend,
)

SYMBOL_FIELDS = ["stroke_colour", "fill_colour", "stroke_opacity", "fill_opacity", "width",
                 "radius", "icon"]  # fmt: skip
COLOUR = forms.TextInput(attrs={"type": "color"})


def _step(step, low=0):
    return forms.NumberInput(attrs={"step": step, "min": low})


class StyleForm(forms.Form):
    type = forms.ChoiceField(
        label=_("style"),
        choices=[
            ("single", _("single symbol")),
            ("categorized", _("categorised by an attribute's values")),
            ("graduated", _("graduated by a numeric attribute")),
        ],
    )
    stroke_colour = forms.CharField(label=_("stroke colour"), widget=COLOUR)
    fill_colour = forms.CharField(label=_("fill colour"), widget=COLOUR)
    stroke_opacity = forms.FloatField(label=_("stroke opacity"), min_value=0, max_value=1,
                                      widget=_step(0.05))  # fmt: skip
    fill_opacity = forms.FloatField(label=_("fill opacity"), min_value=0, max_value=1,
                                    widget=_step(0.05))  # fmt: skip
    width = forms.FloatField(label=_("stroke width, px"), min_value=0, max_value=20,
                             widget=_step(0.5))  # fmt: skip
    radius = forms.FloatField(label=_("point radius, px"), min_value=1, max_value=40,
                              widget=_step(0.5, 1))  # fmt: skip
    icon = forms.CharField(
        label=_("point icon URL"), required=False,
        help_text=_("Optional: an image drawn instead of a circle for points."),
    )  # fmt: skip
    attribute = forms.ChoiceField(
        label=_("attribute"), required=False,
        help_text=_("For categorised and graduated styles."),
    )  # fmt: skip
    method = forms.ChoiceField(
        label=_("classes"),
        choices=[("quantile", _("quantiles")), ("equal_interval", _("equal intervals"))],
        required=False,
    )
    class_count = forms.IntegerField(
        label=_("number of classes"), min_value=2, max_value=MAX_CLASSES, initial=5, required=False
    )
    ramp = forms.ChoiceField(label=_("colour ramp"), choices=[(r, r) for r in RAMPS],
                             required=False)  # fmt: skip
    categories = forms.CharField(
        label=_("categories"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("JSON list of {value, label, colour}; leave empty to take the attribute's "
                    "most frequent values."),
    )  # fmt: skip

    def __init__(self, *args, layer, **kwargs):
        super().__init__(*args, **kwargs)
        self.layer = layer
        self.fields["attribute"].choices = [("", "—")] + [
            (a["name"], f"{a['name']} ({a.get('type', '')})") for a in layer.attributes
        ]
        self.style = None

    @classmethod
    def initial_for(cls, style):
        initial = {"type": style["type"], **style["symbol"]}
        for name in ("attribute", "method", "class_count", "ramp"):
            if name in style:
                initial[name] = style[name]
        if style.get("categories"):
            initial["categories"] = json.dumps(style["categories"], ensure_ascii=False, indent=1)
        return initial

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        style = {
            "type": data["type"],
            "symbol": {name: data[name] for name in SYMBOL_FIELDS},
            "attribute": data.get("attribute"),
            "method": data.get("method") or "quantile",
            "class_count": data.get("class_count") or 5,
            "ramp": data.get("ramp") or "YlOrRd",
        }
        if data["type"] == "categorized" and data.get("categories", "").strip():
            try:
                style["categories"] = json.loads(data["categories"])
            except json.JSONDecodeError as error:
                self.add_error("categories", gettext("Not valid JSON: %s") % error)
                return data
        try:
            self.style = clean_style(style, self.layer)
        except ValidationError as error:
            self.add_error(None, error)
        return data


class StyleAdminMixin:
    """Adds the style editor to a Layer ModelAdmin: its URLs and a link on the change form."""

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path(
                "<path:object_id>/style/",
                self.admin_site.admin_view(self.style_view),
                name=f"{prefix}_style",
            ),  # fmt: skip
            path(
                "<path:object_id>/style/preview/",
                self.admin_site.admin_view(self.style_preview_view),
                name=f"{prefix}_style_preview",
            ),  # fmt: skip
        ] + super().get_urls()

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "style_editor"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append((_("Style"), {"fields": ["style_editor"]}))
        return fieldsets

    def style_editor(self, layer):
        if layer.pk is None:
            return "-"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:layers_layer_style", args=[layer.pk]),
            gettext("Edit the style (live preview)"),
        )

    style_editor.short_description = _("style and legend")

    def _styled_layer(self, request, object_id):
        layer = self.get_object(request, object_id)
        if layer is None:
            raise Http404
        # LayerAdmin's change permission is permissions.can_edit_layer.
        if not self.has_change_permission(request, layer):
            raise PermissionDenied
        return layer

    def style_preview_view(self, request, object_id):
        """POSTed form -> the cleaned style and its legend, or the errors (400)."""
        layer = self._styled_layer(request, object_id)
        if request.method != "POST":
            return JsonResponse({"error": gettext("POST the style form.")}, status=405)
        form = StyleForm(request.POST, layer=layer)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return JsonResponse({"style": form.style, "legend": legend(layer, form.style)})

    def style_view(self, request, object_id):
        layer = self._styled_layer(request, object_id)
        style = effective_style(layer)
        if request.method == "POST":
            form = StyleForm(request.POST, layer=layer)
            if form.is_valid():
                layer.style = form.style
                layer.save(update_fields=["style", "updated"])
                self.log_change(request, layer, [{"changed": {"fields": ["style"]}}])
                messages.success(request, gettext("The style has been saved."))
                return HttpResponseRedirect(reverse("admin:layers_layer_change", args=[layer.pk]))
        else:
            form = StyleForm(initial=StyleForm.initial_for(style), layer=layer)
        config = {
            **layer_map_config(request, layer, style),
            "previewUrl": reverse("admin:layers_layer_style_preview", args=[layer.pk]),
        }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": layer,
            "title": gettext("Style of %(layer)s") % {"layer": layer},
            "form": form,
            "config": config,
        }
        return TemplateResponse(request, "admin/layers/layer/style.html", context)
