from django import template

from cities.indicator_queries import city_dashboard

register = template.Library()


@register.simple_tag
def indicator_dashboard(city):
    """The city's indicator series grouped by dimension (cities/_city_indicators.html)."""
    return city_dashboard(city)


@register.filter
def number(value):
    """A figure with at most two decimals and no trailing zeros."""
    if value is None:
        return "—"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f")
