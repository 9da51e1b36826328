import re

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHOOLS = [
    (27.5500, 53.9000, "Гімназія №1", 800),
    (27.5600, 53.9050, "School 12", 650),
    (27.5700, 53.9100, "Ліцэй БДУ", 420),
]


@pytest.fixture
def schools(layer_with_features, demo):
    from cities.models import City

    features = [
        (Point(lon, lat, srid=4326), {"name": name, "pupils": pupils})
        for lon, lat, name, pupils in SCHOOLS
    ]
    return layer_with_features(
        "schools",
        features,
        attributes=[{"name": "name", "type": "string"}, {"name": "pupils", "type": "integer"}],
        title_en="Schools of Minsk (sample)",
        abstract_en="Sample points for the test.",
        licence="CC BY 4.0",
        city=City.objects.get(slug="minsk"),
        style={
            "type": "graduated", "attribute": "pupils", "method": "equal_interval",
            "ramp": "YlOrRd", "class_count": 2,
            "symbol": {"stroke_colour": "#ffffff", "fill_colour": "#000000", "stroke_opacity": 1,
                       "fill_opacity": 1, "width": 1, "radius": 8, "icon": ""},
            "classes": [{"min": 420, "max": 610, "colour": "#ffffcc"},
                        {"min": 610, "max": 800, "colour": "#800026"}],
        },
    )  # fmt: skip


def open_layer_page(page, live_server, width=1280):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/en/layers/schools/")
    page.wait_for_selector("#layer-map[data-ready=true]", timeout=15000)


def map_state(page):
    return page.evaluate(
        "() => ({zoom: window.portalMap.getZoom(), lat: window.portalMap.getCenter().lat,"
        " lng: window.portalMap.getCenter().lng})"
    )


def test_features_drawn_with_style_popup_and_table(page, live_server, schools, output_dir):
    open_layer_page(page, live_server)
    markers = page.locator("#layer-map path.leaflet-interactive")
    expect(markers).to_have_count(3)
    # Graduated style: 800 pupils in the dark class, 420 in the light one.
    fills = sorted(markers.evaluate_all("els => els.map(e => e.getAttribute('fill'))"))
    assert fills == ["#800026", "#800026", "#ffffcc"]
    expect(page.locator("#legend li")).to_have_count(2)
    expect(page.locator("#features-table tbody tr")).to_have_count(3)
    expect(page.locator("#table-status")).to_contain_text("3")

    # Feature click: a popup with its attributes, and its row selected in the table.
    page.evaluate("() => window.portalMap.setView([53.9, 27.55], 17)")
    page.wait_for_timeout(400)
    page.locator("#layer-map path.leaflet-interactive").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Гімназія №1")
    expect(popup).to_contain_text("800")
    expect(page.locator("#features-table tr.selected")).to_contain_text("Гімназія №1")

    # Row click: the map zooms to the feature.
    page.evaluate("() => window.portalMap.setView([53.9, 27.9], 8)")
    page.locator("#features-table tbody tr", has_text="Ліцэй БДУ").click()
    page.wait_for_timeout(600)
    state = map_state(page)
    assert state["zoom"] >= 16
    assert state["lat"] == pytest.approx(53.91, abs=1e-3)
    assert state["lng"] == pytest.approx(27.57, abs=1e-3)
    expect(popup).to_contain_text("Ліцэй БДУ")
    page.screenshot(path=str(output_dir / "layer-page.png"), full_page=True)
    assert page.js_errors == []


def test_table_sorts_filters_and_pages(page, live_server, schools):
    open_layer_page(page, live_server)
    page.locator("#features-table .sort[data-column=pupils]").click()
    expect(page.locator("#features-table tbody tr").first).to_contain_text("420")
    page.locator("#features-table .sort[data-column=pupils]").click()
    expect(page.locator("#features-table tbody tr").first).to_contain_text("800")
    page.select_option("#filter-column", "name")
    page.fill("#filter-value", "School 12")
    page.locator("#table-filter button").click()
    expect(page.locator("#features-table tbody tr")).to_have_count(1)
    expect(page.locator("#features-table tbody tr")).to_contain_text("650")
    # The downloads follow the filter and the map view when asked to.
    page.check("#download-view")
    href = page.locator("a.download[data-format=csv]").get_attribute("href")
    assert re.search(r"bbox=[-0-9.]+%2C", href) and "column=name" in href


def test_big_layers_come_as_vector_tiles_with_popups(page, live_server, schools, settings):
    settings.LAYER_GEOJSON_MAX_FEATURES = 1
    open_layer_page(page, live_server)
    page.evaluate("() => window.portalMap.setView([53.905, 27.56], 16)")
    tile_paths = page.locator("#layer-map .leaflet-tile path.leaflet-interactive")
    expect(tile_paths.first).to_be_visible(timeout=10000)
    # The tiles of the zoom the map left may still be on screen, about to go: let them.
    page.wait_for_timeout(600)
    assert tile_paths.count() >= 1
    tile_paths.first.click(force=True)
    expect(page.locator(".leaflet-popup-content")).to_contain_text("pupils")
    expect(page.locator("#features-table tr.selected")).to_have_count(1)
    assert page.js_errors == []


def test_phone_screenshot(page, live_server, schools, output_dir):
    open_layer_page(page, live_server, width=375)
    expect(page.locator("#layer-map path.leaflet-interactive")).to_have_count(3)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375
    page.screenshot(path=str(output_dir / "layer-page-375.png"), full_page=True)
    assert (output_dir / "layer-page-375.png").stat().st_size > 10_000
