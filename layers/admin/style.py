"""The planners' style editor: an admin page per layer (admin/layers/layer/<id>/style/) with a
form in plain words, a live map preview and the legend, all drawn from the style JSON that
layers/styles.py validates. Mixed into LayerAdmin (whose editable_layer finds the layer or
explains the refusal)."""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from geoportal.form_fields import LocalFloatField

from ..maps import layer_map_config
from ..styles import MAX_CLASSES, RAMPS, clean_style, effective_style, legend
from .display import legend_swatches
from .forms import TitledSelect

SYMBOL_FIELDS = ["stroke_colour", "fill_colour", "stroke_opacity", "fill_opacity", "width",
                 "radius", "icon"]  # fmt: skip
COLOUR = forms.TextInput(attrs={"type": "color"})


# The colour ramps in words; their ColorBrewer names are the tooltips.
RAMP_WORDS = {
    "YlOrRd": _("yellow to red"),
    "Blues": _("light to dark blue"),
    "Greens": _("light to dark green"),
    "Purples": _("light to dark purple"),
    "RdYlGn": _("red, yellow, green"),
}


def _number(label, low, high, **kwargs):
    # A text box read in the planner's language (0,5 or 0.5), not the browser's number box.
    return LocalFloatField(label=label, min_value=low, max_value=high, **kwargs)


class StyleForm(forms.Form):
    type = forms.ChoiceField(
        label=_("style"),
        choices=[
            ("single", _("single symbol")),
            ("categorized", _("categorised by an attribute's values")),
            ("graduated", _("graduated by a numeric attribute")),
        ],
    )
    stroke_colour = forms.CharField(label=_("outline colour"), widget=COLOUR)
    fill_colour = forms.CharField(label=_("fill colour"), widget=COLOUR)
    stroke_opacity = _number(_("outline opacity, 0 to 1"), 0, 1)
    fill_opacity = _number(_("fill opacity, 0 to 1"), 0, 1,
                           help_text=_("0 is invisible, 1 is solid."))  # fmt: skip
    width = _number(_("outline width, pixels"), 0, 20)
    radius = _number(_("point size (radius), pixels"), 1, 40)
    icon = forms.CharField(
        label=_("picture for points"), required=False,
        help_text=_("Optional: the web address of an image drawn instead of a circle."),
    )  # fmt: skip
    attribute = forms.ChoiceField(
        label=_("by the attribute"), required=False,
        help_text=_("Which column of the table decides the colour."),
    )  # fmt: skip
    method = forms.ChoiceField(
        label=_("how to split the numbers"),
        choices=[("quantile", _("into groups of equal size")),
                 ("equal_interval", _("into equal ranges"))],
        required=False,
        widget=TitledSelect({"quantile": "quantiles", "equal_interval": "equal intervals"}),
    )  # fmt: skip
    class_count = forms.IntegerField(
        label=_("number of groups"), min_value=2, max_value=MAX_CLASSES, initial=5, required=False
    )
    ramp = forms.ChoiceField(
        label=_("colours"), choices=list(RAMP_WORDS.items()), required=False,
        widget=TitledSelect({name: name for name in RAMPS}),
    )  # fmt: skip
    # The table of categories (value, label, colour) is drawn by the page's script from this
    # JSON and writes it back; empty takes the attribute's most frequent values.
    categories = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, layer, **kwargs):
        super().__init__(*args, **kwargs)
        self.layer = layer
        self.fields["attribute"].choices = [("", "—")] + [
            (a["name"], a["name"]) for a in layer.attributes
        ]
        self.style = None

    @classmethod
    def initial_for(cls, style):
        initial = {"type": style["type"], **style["symbol"]}
        for name in ("attribute", "method", "class_count", "ramp"):
            if name in style:
                initial[name] = style[name]
        if style.get("categories"):
            initial["categories"] = json.dumps(style["categories"], ensure_ascii=False)
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
            except json.JSONDecodeError:
                self.add_error(None, gettext("The table of categories could not be read."))
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
                "<int:object_id>/style/",
                self.admin_site.admin_view(self.style_view),
                name=f"{prefix}_style",
            ),  # fmt: skip
            path(
                "<int:object_id>/style/preview/",
                self.admin_site.admin_view(self.style_preview_view),
                name=f"{prefix}_style_preview",
            ),  # fmt: skip
        ] + super().get_urls()

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "style_editor"]

    def style_editor(self, layer):
        if layer.pk is None:
            return "-"
        return format_html(
            '{} <a class="button" href="{}">{}</a>',
            legend_swatches(layer),
            reverse("admin:layers_layer_style", args=[layer.pk]),
            gettext("Edit the style"),
        )

    style_editor.short_description = _("style and legend")

    def style_preview_view(self, request, object_id):
        """POSTed form -> the cleaned style and its legend, or the errors (400)."""
        layer, refused = self.editable_layer(request, object_id)
        if refused:
            return JsonResponse({"error": gettext("Not yours to change.")}, status=403)
        if request.method != "POST":
            return JsonResponse({"error": gettext("POST the style form.")}, status=405)
        form = StyleForm(request.POST, layer=layer)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return JsonResponse({"style": form.style, "legend": legend(layer, form.style)})

    def style_view(self, request, object_id):
        layer, refused = self.editable_layer(request, object_id)
        if refused:
            return refused
        style = effective_style(layer)
        if request.method == "POST":
            form = StyleForm(request.POST, layer=layer)
            if form.is_valid():
                layer.style = form.style
                # A style chosen again answers the last import's "style was reset" warning.
                report = layer.import_report or {}
                report["style_notes"] = [n for n in report.get("style_notes", [])
                                         if not n.get("reset")]  # fmt: skip
                layer.import_report = report
                layer.save(update_fields=["style", "import_report", "updated"])
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
