"""The layers' section of the planner's home (settings.ADMIN_HOME_SECTIONS): what needs their
attention first (failed and stuck uploads, drafts waiting to be published, styles reset by a
new file), then their layers with state, last upload, legend and the way to the style."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..permissions import editable_layers, is_planner
from ..styles import note_text
from .display import last_import, latest_version, layer_state, legend_swatches, state_badge
from .display import with_latest_version as with_latest
from .versions import version_actions

HOME_LAYERS = 20


def layers_section(request):
    if not is_planner(request.user):
        return None
    layers = list(with_latest(editable_layers(request.user).select_related("city")))
    rows, attention = [], []
    for layer in layers:
        version = latest_version(layer)
        attention += _attention(layer, version)
        if len(rows) < HOME_LAYERS:
            rows.append(
                {
                    "layer": layer,
                    "state": state_badge(layer, version),
                    "last_import": last_import(version),
                    "legend": legend_swatches(layer),
                    "url": reverse("admin:layers_layer_change", args=[layer.pk]),
                    "style_url": reverse("admin:layers_layer_style", args=[layer.pk]),
                    "page_url": layer.get_absolute_url() if layer.version else "",
                }
            )
    return {
        "template": "admin/home/layers.html",
        "title": _("Map layers"),
        "rows": rows,
        "more": len(layers) - len(rows),
        "attention": attention,
        "add_url": reverse("admin:layers_layer_add"),
        "list_url": reverse("admin:layers_layer_changelist"),
    }


def _attention(layer, version):
    """(state code, what is wrong, [(action, url)]) for a layer that needs its planner."""
    code, words = layer_state(layer, version)
    change = reverse("admin:layers_layer_change", args=[layer.pk])
    items = []
    if code in ("failed", "stuck"):
        retry = [
            (label, url)
            for label, url in version_actions(version, layer)
            if url.endswith("/retry/")
        ]
        detail = version.error_message if code == "failed" else ""
        items.append(
            (code, layer, words, detail, retry or [(gettext("Upload a new file"), change)])
        )
    elif code == "draft" and layer.version:
        items.append(
            (
                code,
                layer,
                words,
                "",
                [
                    (gettext("Look at it"), layer.get_absolute_url()),
                    (gettext("Publish…"), reverse("admin:layers_layer_publish", args=[layer.pk])),
                ],
            )
        )
    for note in (layer.import_report or {}).get("style_notes", []):
        if note.get("reset"):
            items.append(
                (
                    "style",
                    layer,
                    note_text(note),
                    "",
                    [
                        (
                            gettext("Edit the style"),
                            reverse("admin:layers_layer_style", args=[layer.pk]),
                        )
                    ],
                )
            )
    return items
