"""The planner's home offers only what they may use, and the admin speaks the language the
planner chooses with the switch in its header."""

import pytest
from django.urls import reverse

from cities.models import City

pytestmark = pytest.mark.django_db


def test_the_home_page_offers_only_what_the_planner_may_use(client, planner_of, english):
    planner = planner_of("brest")  # the cities' loader alone: layers, and cities to look at
    client.force_login(planner)
    home = client.get(reverse("admin:index")).text
    brest, pinsk = City.objects.get(slug="brest"), City.objects.get(slug="pinsk")
    assert reverse("admin:layers_layer_add") in home
    assert reverse("admin:cities_city_boundary", args=[brest.pk]) in home
    assert reverse("admin:cities_city_boundary", args=[pinsk.pk]) not in home
    assert reverse("admin:cities_servicelocation_add") not in home
    assert reverse("admin:cities_indicatorvalue_add") not in home


def test_the_language_switch_in_the_admin_header(client, brest_planner):
    client.force_login(brest_planner)
    home = client.get(reverse("admin:index"))
    assert '<html lang="be"' in home.text and "Разумныя гарады Беларусі" in home.text
    assert 'action="/i18n/setlang/"' in home.text and 'name="language" value="ru"' in home.text
    switched = client.post("/i18n/setlang/", {"language": "ru", "next": reverse("admin:index")})
    assert switched["Location"] == reverse("admin:index")
    page = client.get(reverse("admin:layers_layer_changelist")).text
    assert '<html lang="ru"' in page and "Умные города Беларуси" in page
    assert "Загрузить новый слой" in client.get(reverse("admin:index")).text
