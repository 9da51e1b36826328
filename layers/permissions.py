"""The one permission check for layers: pages, REST API, OGC API, tiles and downloads all use it."""

from django.db.models import Q
from rest_framework.permissions import SAFE_METHODS, BasePermission

from cities.permissions import can_manage_city, managed_by, managed_city_ids

from .models import Layer


def visible_layers(user, queryset=None):
    """The layers this user may see: public ones, plus those of the cities they manage."""
    queryset = Layer.objects.all() if queryset is None else queryset
    if managed_city_ids(user) is None:
        return queryset
    allowed = Q(is_public=True)
    if user.is_authenticated:
        allowed |= Q(owner=user) | (managed_by(user) & Q(city__isnull=False))
    return queryset.filter(allowed)


def editable_layers(user, queryset=None):
    """The layers this user may change: staff all, planners those of their cities and their own."""
    queryset = Layer.objects.all() if queryset is None else queryset
    ids = managed_city_ids(user)
    if ids is None:
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(Q(owner=user) | Q(city__in=ids))


def can_view_layer(user, layer):
    return visible_layers(user).filter(pk=layer.pk).exists()


def can_edit_layer(user, layer):
    if not user.is_authenticated:
        return False
    if layer.owner_id == user.pk:
        return True
    return layer.city_id is not None and can_manage_city(user, layer.city_id)


def is_planner(user):
    """Staff, or a member of at least one city's planner group."""
    ids = managed_city_ids(user)
    return ids is None or bool(ids)


class LayerPermission(BasePermission):
    """DRF: anyone reads what visible_layers allows; planners write their own cities' layers."""

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or is_planner(request.user)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return can_view_layer(request.user, obj)
        return can_edit_layer(request.user, obj)
