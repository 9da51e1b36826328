"""Form fields for what planners type the local way: numbers with a decimal comma or a point,
read by Django's localisation in the reader's language (be, ru, en), in a plain text box (a
browser's number box reads "37,5" as 375 in some languages) with the unit beside it. Nothing
is silently changed: a number that could be read two ways is refused with a message."""

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


class NumberWithUnit(forms.TextInput):
    """A text box for a number, its unit after it (scripts may change the unit in place)."""

    def __init__(self, unit="", attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})
        self.unit = unit

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        unit = format_html('<span class="field-unit" data-unit-for="{}">{}</span>', name, self.unit)
        return mark_safe(f"{box} {unit}")  # noqa: S308 (both parts are escaped HTML)


class LocalFloatField(forms.FloatField):
    """A number typed as 37,5 or 37.5 (whatever the language), shown back in the reader's
    language; "1.234,5" or "1 234" are refused rather than guessed."""

    default_error_messages = {
        "invalid": _("Enter a number, like 37,5 or 37.5."),
        "separators": _(
            "Type the number with one decimal comma or point and nothing between the digits, "
            "like 1234,5."
        ),
    }

    def __init__(self, *args, unit="", **kwargs):
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", NumberWithUnit(unit))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            digits = value.lstrip("+-")
            if value.count(",") + value.count(".") > 1 or any(c.isspace() for c in digits):
                raise forms.ValidationError(self.error_messages["separators"], code="separators")
            value = value.replace(",", ".")
        return super().to_python(value)
