"""What the layer page needs to offer editing, for those who may edit the layer (and nothing
for anyone else): where to write (the OGC API items), the history and revert addresses, the
CSRF token, and the attribute schema with its types and choices for typed inputs."""

from django.middleware.csrf import get_token
from django.urls import reverse

from ..models import Layer
from ..permissions import can_edit_layer


def editing_config(request, layer):
    if not can_edit_layer(request.user, layer):
        return None
    choices = layer.attribute_choices or {}
    return {
        "itemsUrl": reverse("ogc:items", args=[layer.slug]),
        "historyUrl": reverse("layers:history", args=[layer.slug]),
        # The edit's id replaces the 0.
        "revertUrl": reverse("layers:revert", args=[layer.slug, 0]),
        "csrfToken": get_token(request),
        "geometryType": layer.geometry_type,
        "attributes": [
            {
                "name": a["name"],
                "type": a.get("type", "string"),
                "choices": choices.get(a["name"], []),
            }
            for a in layer.attributes
        ],  # fmt: skip
        "importing": layer.status in (Layer.Status.QUEUED, Layer.Status.IMPORTING),
    }
