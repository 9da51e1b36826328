"""The national map `/`: layer switcher by category, base maps, legend, permalink, locate-me."""

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def layers(layer_with_features, demo):
    layer_with_features(
        "schools",
        [(Point(27.55 + i * 0.01, 53.9, srid=4326), {"name": f"School {i}"}) for i in range(3)],
        title_en="Schools (sample)", topic_category="society",
    )  # fmt: skip
    layer_with_features(
        "bus-stops",
        [(Point(27.56, 53.91, srid=4326), {"name": "Stop"})],
        title_en="Bus stops (sample)", topic_category="transportation",
    )  # fmt: skip
    layer_with_features(
        "secret", [(Point(27.5, 53.9, srid=4326), {"name": "x"})], title_en="Secret pipes",
        is_public=False,
    )  # fmt: skip


def open_map(page, url):
    page.goto(url)
    page.wait_for_selector("#map[data-ready=true]", timeout=20000)


def test_switcher_groups_public_layers_and_toggles_them_with_legend(page, live_server, layers):
    open_map(page, f"{live_server.url}/en/")
    switcher = page.locator(".layer-switcher")
    expect(switcher.locator("fieldset.overlay-group legend")).to_contain_text(
        ["Programme", "Society", "Transportation"]
    )
    expect(switcher).not_to_contain_text("Secret pipes")
    expect(switcher.locator("input[name=basemap]")).to_have_count(1)  # no base map in tests
    expect(page.locator("#overlay-regions")).to_be_checked()
    page.check("#overlay-schools")
    expect(page.locator("path.leaflet-interactive[fill='#d7301f']")).to_have_count(3)
    expect(page.locator(".map-legend")).to_contain_text("Schools (sample)")
    assert "layers=regions,cities,schools" in page.evaluate("location.hash")
    page.uncheck("#overlay-schools")
    expect(page.locator("path.leaflet-interactive[fill='#d7301f']")).to_have_count(0)
    expect(page.locator(".map-legend")).to_be_hidden()
    assert page.js_errors == []


def test_permalink_restores_view_and_layers(page, live_server, layers):
    open_map(page, f"{live_server.url}/en/#map=14/53.9050/27.5600&layers=bus-stops&basemap=none")
    state = page.evaluate("() => [window.portalMap.getZoom(), window.portalMap.getCenter()]")
    assert state[0] == 14
    assert state[1]["lat"] == pytest.approx(53.905, abs=1e-3)
    expect(page.locator("#overlay-bus-stops")).to_be_checked()
    expect(page.locator("#overlay-regions")).not_to_be_checked()
    expect(page.locator("#basemap-none")).to_be_checked()
    expect(page.locator(".map-legend")).to_contain_text("Bus stops (sample)")
    page.locator("path.leaflet-interactive[fill='#d7301f']").click(force=True)
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Stop")
    page.evaluate("() => window.portalMap.setZoom(12)")
    page.wait_for_timeout(500)
    assert page.evaluate("location.hash").startswith("#map=12/")
    assert page.locator(".leaflet-control-scale").count() == 1


def test_locate_me_and_phone_screenshot(browser, live_server, layers, output_dir):
    context = browser.new_context(
        viewport={"width": 375, "height": 740},
        geolocation={"latitude": 53.9045, "longitude": 27.5615},
        permissions=["geolocation"],
    )
    page = context.new_page()
    try:
        open_map(page, f"{live_server.url}/en/")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
        page.locator(".locate-button").click()
        expect(page.locator("path.my-location")).to_have_count(1)
        assert page.evaluate("() => window.portalMap.getZoom()") >= 14
        page.screenshot(path=str(output_dir / "national-map-375.png"))
    finally:
        context.close()
