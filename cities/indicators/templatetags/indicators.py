from django import template
from django.utils import formats

from cities.indicators.queries import city_dashboard

register = template.Library()


@register.simple_tag
def indicator_dashboard(city):
    """The city's indicator series grouped by dimension (indicators/_city_indicators.html)."""
    return city_dashboard(city)


@register.filter
def number(value):
    """A figure with at most two decimals and no trailing zeros, grouped and pointed as the
    page's language writes numbers (1,234.5 in English; 1 234,5 in Belarusian and Russian)."""
    if value is None:
        return "—"
    rounded = round(float(value), 2)
    decimals = next(d for d in (0, 1, 2) if round(rounded, d) == rounded)
    return formats.number_format(rounded, decimals, use_l10n=True, force_grouping=True)
