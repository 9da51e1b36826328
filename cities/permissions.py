"""Who may manage which city. Superusers and holders of the `cities.manage_all_cities` permission
(the "Portal editors" group) manage every city; a planner manages the cities whose planner group
they belong to. Planners are staff users so that they can log into the admin, which is why
is_staff alone grants nothing here. Layers, services and indicators all ask here."""

from django.db.models import Q

from .models import City


def managed_city_ids(user):
    """None when the user manages every city, else the set of ids of the cities they manage."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.has_perm("cities.manage_all_cities"):
        return None
    return set(City.objects.filter(planners__user=user).values_list("id", flat=True))


def can_manage_city(user, city_id):
    ids = managed_city_ids(user)
    return ids is None or city_id in ids


def managed_by(user, city_field="city"):
    """A Q() that keeps the rows of the cities the user manages."""
    ids = managed_city_ids(user)
    if ids is None:
        return Q()
    return Q(**{f"{city_field}__in": ids})
