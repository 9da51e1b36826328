"""The one layer rule: which layers a user may see and which they may edit. Pages, the REST API,
the OGC API, tiles, downloads, the catalogue, the national map, the admin and the KPIs all ask
here, so a layer is either there for a user everywhere or nowhere.

- Published: imported at least once (version > 0). A published layer keeps serving its data
  while a re-import runs and after one fails; it stops only when deleted or made private.
- Editable: superusers and holders of cities.manage_all_cities edit every layer; a planner the
  layers of the cities they manage and the layers they own.
- Visible: published and public, or editable (an editor sees their drafts and imports).
"""

from django.db.models import Q
from rest_framework.permissions import SAFE_METHODS, BasePermission

from cities.permissions import managed_city_ids

from .models import Layer

PUBLISHED = Q(version__gt=0)


def _editable(user):
    """The rows a user may edit as a Q (Q() for all), or None for none."""
    ids = managed_city_ids(user)
    if ids is None:
        return Q()
    if not user.is_authenticated:
        return None
    return Q(owner=user) | Q(city__in=ids)


def editable_layers(user, queryset=None):
    """The layers this user may change."""
    queryset = Layer.objects.all() if queryset is None else queryset
    editable = _editable(user)
    return queryset.none() if editable is None else queryset.filter(editable)


def visible_layers(user, queryset=None):
    """The layers this user may see: published public ones, and every one they may edit."""
    queryset = Layer.objects.all() if queryset is None else queryset
    editable = _editable(user)
    if editable == Q():
        return queryset
    visible = PUBLISHED & Q(is_public=True)
    return queryset.filter(visible if editable is None else visible | editable)


def visible_to_everyone(layer):
    """Whether anyone at all may see this layer (a Layer or a layers.access record): the
    published and public part of visible_layers, for a row already read."""
    return layer.is_public and layer.version > 0


def can_view_layer(user, layer):
    return visible_layers(user).filter(pk=layer.pk).exists()


def can_edit_layer(user, layer):
    return editable_layers(user).filter(pk=layer.pk).exists()


def is_planner(user):
    """Staff, or a member of at least one city's planner group."""
    ids = managed_city_ids(user)
    return ids is None or bool(ids)


class LayerPermission(BasePermission):
    """DRF: anyone reads what visible_layers allows; planners write the layers they may edit."""

    anonymous_reads = True  # so the schema says reads need no token (geoportal/openapi.py)

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or is_planner(request.user)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return can_view_layer(request.user, obj)
        return can_edit_layer(request.user, obj)
