"""Web addresses from Cyrillic titles: the official romanisations (Belarusian 2007, Russian
GOST 1983/UN), with diacritics for names and without them for slugs; unique and stable."""

import pytest

from cities.models import City
from geoportal.transliteration import ascii_latin, latin, slug
from layers.imports.queue import new_layer_slug
from layers.models import Layer


@pytest.mark.parametrize(
    "cyrillic,romanised",
    [
        # Examples of the Instruction (2007) and the UN's list of Belarusian names.
        ("Магілёў", "Mahilioŭ"), ("Гомель", "Homieĺ"), ("Віцебск", "Viciebsk"),
        ("Гродна", "Hrodna"), ("Маладзечна", "Maladziečna"), ("Любань", "Liubań"),
        ("Мар'іна Горка", "Marjina Horka"), ("Ельск", "Jeĺsk"), ("Іўе", "Iŭje"),
        ("Шчучын", "Ščučyn"), ("Баранавічы", "Baranavičy"), ("ЛЯХАВІЧЫ", "LIACHAVIČY"),
    ],
)  # fmt: skip
def test_belarusian_by_the_official_romanisation(cyrillic, romanised):
    assert latin(cyrillic) == romanised


def test_russian_by_its_own_system():
    assert latin("Могилёв", "ru") == "Mogilëv"
    assert latin("Щучин", "ru") == "Ščučin"
    assert ascii_latin("Подъезд", "ru") == "Podezd"


def test_ascii_forms_and_slugs_drop_the_diacritics():
    assert ascii_latin("Магілёў") == "Mahiliou"
    assert slug("planner-test Гарады Беларусі") == "planner-test-harady-bielarusi"
    assert slug("Гомель, 2026 г.") == "homiel-2026-h"
    assert slug("★") == ""


@pytest.mark.django_db
def test_layer_web_addresses_are_romanised_unique_and_stable(demo):
    assert new_layer_slug("Гарады праграмы") == "harady-prahramy"
    assert new_layer_slug("", "Города программы") == "goroda-programmy"
    assert new_layer_slug("★", "", "Programme cities") == "programme-cities"
    assert new_layer_slug("★") == "layer"
    layer = Layer.objects.create(slug=new_layer_slug("Гарады праграмы"), title_be="Гарады",
                                 city=City.objects.get(slug="brest"))  # fmt: skip
    assert new_layer_slug("Гарады праграмы") == "harady-prahramy-2"
    layer.title_be = "Іншая назва"
    layer.save()
    layer.refresh_from_db()
    assert layer.slug == "harady-prahramy"  # the address does not follow the title
