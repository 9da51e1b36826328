"""The admin's maps: one Leaflet on every admin page (the portal's, which django-leaflet's
widgets load too), and the base map in the layer preview and the style editor."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from playwright.sync_api import expect

from cities.models import City, ServiceCategory, ServiceLocation

LEAFLET = "/static/leaflet/leaflet.js"


@pytest.fixture
def admin_client(client, demo, ready_layer):
    client.force_login(get_user_model().objects.create_superuser("root", password="pw"))
    client.layer = ready_layer("points", [("POINT(27.5 53.9)", {"name": "a"})])
    category = ServiceCategory.objects.create(slug="clinic", name_be="к", name_ru="к", name_en="C")
    client.service = ServiceLocation.objects.create(
        name_be="к", name_ru="к", name_en="C", category=category,
        location=City.objects.get(slug="minsk").location,
    )  # fmt: skip
    return client


def admin_pages(client):
    city = City.objects.get(slug="minsk")
    return [
        f"/admin/cities/city/{city.pk}/change/",
        f"/admin/cities/servicelocation/{client.service.pk}/change/",
        "/admin/cities/servicelocation/add/",
        f"/admin/layers/layer/{client.layer.pk}/change/",
        f"/admin/layers/layer/{client.layer.pk}/style/",
        "/admin/layers/layer/add/",
    ]


def test_every_admin_map_page_loads_the_one_leaflet_once(admin_client, settings):
    for url in admin_pages(admin_client):
        html = admin_client.get(url).content.decode()
        scripts = re.findall(r'src="([^"]*/leaflet\.js)"', html)
        assert scripts == [LEAFLET], (url, scripts)
        styles = re.findall(r'href="([^"]*/leaflet\.css)"', html)
        assert styles == ["/static/leaflet/leaflet.css"], (url, styles)


def test_the_one_leaflet_is_the_vendored_release():
    served = finders.find("leaflet/leaflet.js")
    with open(served, encoding="utf-8") as handle:
        assert "Leaflet 1.9.4" in handle.read(200)
    assert "static/leaflet/leaflet.js" in served  # the project's copy, not django-leaflet's


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_style_editor_and_layer_preview_show_the_base_map(
    page, live_server, demo, ready_layer, settings
):
    # A base map served locally (the internet's tiles are unreachable here): any small image.
    settings.BASEMAP_URL = "/static/leaflet/images/layers.png?z={z}&x={x}&y={y}"
    layer = ready_layer("points", [("POINT(27.5 53.9)", {"name": "a"})])
    get_user_model().objects.create_superuser("root", password="pw-for-tests-only")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/layers/layer/{layer.pk}/style/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    tiles = page.locator("#style-map img.leaflet-tile")
    expect(tiles.first).to_be_attached()
    assert "/static/leaflet/images/layers.png" in tiles.first.get_attribute("src")
    page.goto(f"{live_server.url}/admin/layers/layer/{layer.pk}/change/")
    expect(page.locator("#layer-preview img.leaflet-tile").first).to_be_attached()
    assert page.js_errors == []
