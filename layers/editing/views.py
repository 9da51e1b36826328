"""The layer page's history for editors: the entries as JSON and the revert of one change
(session and CSRF as for any page form). Edits themselves go through the OGC API
(layers/ogc/transactions.py), the one write path for the page and for QGIS."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rest_framework.exceptions import ValidationError

from geoportal.query_params import parse_int

from ..permissions import editable_layers, visible_layers
from .checks import EditRefused
from .features import revert_edit
from .history import layer_history


def _error(status, code, detail):
    return JsonResponse({"detail": detail, "code": code}, status=status)


def _editable_layer(request, slug):
    """The layer if the user may edit it; else a 404 (not visible) or 403 response."""
    layer = get_object_or_404(visible_layers(request.user), slug=slug)
    if not editable_layers(request.user).filter(pk=layer.pk).exists():
        return None, _error(403, "permission_denied", _("You may not edit this layer."))
    return layer, None


@require_GET
def history(request, slug):
    layer, refused = _editable_layer(request, slug)
    if refused:
        return refused
    try:
        feature_id = parse_int(request.GET.get("feature"), "feature", minimum=1)
    except ValidationError as error:
        return JsonResponse({"detail": error.detail, "code": "invalid"}, status=400)
    return JsonResponse({"entries": layer_history(layer, feature_id)})


@require_POST
def revert(request, slug, edit_id):
    layer, refused = _editable_layer(request, slug)
    if refused:
        return refused
    try:
        change = revert_edit(request.user, layer, edit_id)
    except EditRefused as error:
        return _error(error.status, error.code, str(error))
    return JsonResponse({"feature": change.feature, "feature_id": change.feature_id,
                         "edit": change.edit.pk})  # fmt: skip
