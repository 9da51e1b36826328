"""Model text kept in the portal's three languages (be, ru, en), one column per language."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def current_language():
    lang = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return lang if lang in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def translated(obj, field):
    """obj.<field>_<lang> in the active language, falling back to be, ru, then en."""
    order = [current_language()] + [code for code, _ in settings.LANGUAGES]
    for lang in order:
        value = getattr(obj, f"{field}_{lang}", "")
        if value:
            return value
    return ""


class TranslatedNameMixin(models.Model):
    """name_be, name_ru, name_en and a `name` property in the active language."""

    name_be = models.CharField(_("name in Belarusian"), max_length=200)
    name_ru = models.CharField(_("name in Russian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self):
        return translated(self, "name")
