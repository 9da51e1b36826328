"""A Brest planner's workplace for the tests of the planners' admin: the demo cities with their
planner groups allowed what the portal's loaders allow them (layers, services, indicator values
and targets), the service categories and the indicator catalogue, and a browser logged in."""

import pytest
from conftest import TEST_DATA
from django.urls import reverse

from cities.indicators.catalogue import load_catalogue
from cities.indicators.demo import grant_planners as grant_indicators
from cities.models import City
from cities.services.demo import grant_planners as grant_services
from cities.services.demo import load_categories
from layers.imports.queue import import_now
from layers.models import Layer

PASSWORD = "planner-pass-123"


@pytest.fixture
def brest_planner(planner_of):
    """The planner of Brest, with what the demo loaders grant planners."""
    load_categories()
    load_catalogue()
    grant_services()
    grant_indicators()
    planner = planner_of("brest")
    planner.first_name, planner.last_name = "Алена", "Брэсцкая"
    planner.save()
    return planner


@pytest.fixture
def pinsk_layer(db, demo):
    """A published layer of Pinsk (the Natural Earth oblasts, real data)."""
    layer = Layer.objects.create(
        slug="pinsk-oblasts", title_be="Вобласці (Пінск)", title_en="Oblasts (Pinsk)",
        city=City.objects.get(slug="pinsk"), is_public=True,
    )  # fmt: skip
    import_now(layer, TEST_DATA / "oblasts.fgb")
    return layer


def log_in(page, live_server, user, language):
    """Log in through the admin's form, in `language` (the admin follows the language cookie)."""
    page.context.add_cookies([{"name": "django_language", "value": language,
                               "url": live_server.url}])  # fmt: skip
    page.goto(f"{live_server.url}{reverse('admin:login')}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{reverse('admin:index')}")
