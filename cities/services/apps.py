from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    """A sub-app of cities without models of its own (they are cities' ServiceCategory and
    ServiceLocation): it brings their admin, templates, URLs and management command."""

    name = "cities.services"
    label = "services"
    verbose_name = _("City services")
