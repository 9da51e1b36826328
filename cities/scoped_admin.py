"""The admin's side of cities.permissions: planners see and change only their cities' rows, and
a link to another city's row gets a page saying whose it is and why they cannot change it."""

from django.utils.translation import gettext

from .models import City
from .permissions import can_manage_city, managed_by, managed_city_ids


def refuse_change(model_admin, request, obj, whose=None, links=()):
    """The admin site's explained refusal for `obj`, which belongs to a city the user does not
    manage: whose it is (its city's planners, unless `whose` says), why the user cannot change
    it, and `links` ((label, url) pairs) to what they can do instead."""
    city = obj if isinstance(obj, City) else getattr(obj, "city", None)
    values = {"object": obj, "kind": obj._meta.verbose_name}
    if whose is None:
        whose = (
            gettext("It is managed by the planners of the city of %(city)s and the portal editors.")
            % {"city": city.name}
            if city is not None
            else gettext("It is managed by the portal editors.")
        )
    ids = managed_city_ids(request.user)
    yours = ", ".join(city.name for city in City.objects.filter(pk__in=ids or []))
    if yours:
        reason = gettext(
            "You manage the data of: %(cities)s. What belongs to another city can be seen on the "
            "portal but changed only by its own planners: if something in it is wrong, tell them."
        ) % {"cities": yours}
    else:
        reason = gettext(
            "Your account does not manage any city's data yet: ask a portal editor to add you to "
            "the planners of your city."
        )
    title = gettext("“%(object)s”: not yours to change (%(kind)s)") % values
    return model_admin.admin_site.refused(
        request, title=title, whose=whose, reason=reason, links=links
    )


class CityScopedAdminMixin:
    """For a ModelAdmin of a model with a `city`: rows of the cities the user manages, and only
    those cities to choose from; another city's row is explained, not "does not exist"."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(managed_by(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "city":
            kwargs["queryset"] = City.objects.filter(managed_by(request.user, "id"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_manage_city(request.user, obj.city_id))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_manage_city(request.user, obj.city_id))

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django's hook for "not in get_queryset": a row that exists is another city's.
        found = (
            self.model._default_manager.filter(pk=object_id).first()
            if object_id.isdigit()
            else None
        )
        if found is None:
            return super()._get_obj_does_not_exist_redirect(request, opts, object_id)
        return refuse_change(self, request, found)
