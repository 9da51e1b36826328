from django import template

from cities.indicators.queries import city_dashboard

register = template.Library()


@register.simple_tag
def indicator_dashboard(city):
    """The city's indicator series grouped by dimension (indicators/_city_indicators.html)."""
    return city_dashboard(city)


@register.filter
def number(value):
    """A figure with at most two decimals and no trailing zeros."""
    if value is None:
        return "—"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f")
