"""Web addresses of new layers from Cyrillic titles, by the official romanisation of the title's
language (geoportal/transliteration.py): unique and stable."""

import pytest

from cities.models import City
from layers.imports.queue import new_layer_slug
from layers.models import Layer


@pytest.mark.django_db
def test_layer_web_addresses_are_romanised_unique_and_stable(demo):
    assert new_layer_slug("planner-test Гарады Беларусі") == "planner-test-harady-bielarusi"
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


@pytest.mark.django_db
def test_a_long_title_makes_an_address_that_fits(demo):
    slug = new_layer_slug("Аўтобусныя прыпынкі " * 20)
    assert slug.startswith("autobusnyja-prypynki-")
    assert len(slug) <= 90 and not slug.endswith("-")
