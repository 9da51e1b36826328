"""The admin's side of cities.permissions: planners see and change only their cities' rows."""

from .models import City
from .permissions import can_manage_city, managed_by


class CityScopedAdminMixin:
    """For a ModelAdmin of a model with a `city`: rows of the cities the user manages, and only
    those cities to choose from."""

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
