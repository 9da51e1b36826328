from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """A sub-app of cities without models of its own (they are cities' Indicator,
    IndicatorValue and Target): it brings their admin, templates, URLs, template tags and
    management command."""

    name = "cities.indicators"
    label = "indicators"
    verbose_name = _("Indicators")
