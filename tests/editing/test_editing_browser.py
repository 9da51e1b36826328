"""The Done-when walk in a real browser: a Brest planner signs in, moves a point on the map and
edits an attribute in the table of a Brest layer, sees both in the history, reverts one, and is
refused on a Pinsk layer."""

import pytest
from editing_fixtures import *  # noqa: F403 (the fixtures)
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from layers.models import Feature, FeatureEdit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, next_url):
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.fill("#id_username", "planner-brest")
    page.fill("#id_password", "planner-pass-123")
    page.click("input[type=submit]")
    page.wait_for_selector("#layer-map[data-ready=true]", timeout=20000)


def point_on_screen(page, lon, lat):
    return page.evaluate(
        """([lon, lat]) => {
          const p = window.portalMap.latLngToContainerPoint([lat, lon]);
          const box = document.getElementById("layer-map").getBoundingClientRect();
          return {x: box.left + p.x, y: box.top + p.y};
        }""",
        [lon, lat],
    )


def test_planner_moves_edits_sees_history_reverts_and_is_refused_elsewhere(
    page, live_server, brest_stops, pinsk_stops, planner_of, output_dir
):
    planner_of("brest")
    stop_a = Feature.objects.get(layer=brest_stops, properties__name="Stop A")
    stop_b = Feature.objects.get(layer=brest_stops, properties__name="Stop B")
    sign_in(page, live_server, "/en/layers/brest-stops/")
    expect(page.locator(".leaflet-pm-toolbar").first).to_be_visible()
    expect(page.locator("#history-list")).to_contain_text("Imported from the file stops.geojson")

    # Move Stop A: the "Move features" tool, then drag its circle 60 px east.
    page.evaluate("() => window.portalMap.setView([52.0976, 23.6850], 15)")
    page.wait_for_timeout(500)
    page.locator("[title='Move features']").first.click()
    start = point_on_screen(page, 23.6850, 52.0976)
    page.mouse.move(start["x"], start["y"])
    page.mouse.down()
    for step in range(1, 7):
        page.mouse.move(start["x"] + step * 10, start["y"], steps=2)
    page.mouse.up()
    expect(page.locator("#edit-status")).to_contain_text("saved", timeout=10000)
    page.locator("[title='Move features']").first.click()
    stop_a.refresh_from_db()
    assert stop_a.geom.x > 23.6855
    assert abs(stop_a.geom.y - 52.0976) < 0.0005
    page.screenshot(path=output_dir / "moved.png")

    # Edit Stop B's attributes in the table: routes (a number) and kind (a choice).
    row = page.locator(f"#features-table tbody tr[data-id='{stop_b.pk}']")
    row.locator("button[data-action=edit-row]").click()
    row.locator("input[data-attribute=routes]").fill("6")
    row.locator("select[data-attribute=kind]").select_option("trolleybus")
    row.locator("button[data-action=save-row]").click()
    expect(page.locator("#edit-status")).to_contain_text("Attributes of feature", timeout=10000)
    expect(page.locator("#features-table tbody tr", has_text="Stop B")).to_contain_text(
        "trolleybus"
    )
    stop_b.refresh_from_db()
    assert stop_b.properties["routes"] == 6 and stop_b.properties["kind"] == "trolleybus"

    # Both changes are in the history; the move is shown on the history map and reverted.
    entries = page.locator("#history-list li[data-edit]")
    expect(entries).to_have_count(2)
    move = page.locator("#history-list li[data-edit]", has_text=f"Feature {stop_a.pk}")
    edit = page.locator("#history-list li[data-edit]", has_text=f"Feature {stop_b.pk}")
    expect(move).to_contain_text("planner-brest")
    expect(edit).to_contain_text("changed")
    move.locator("[data-show]").click()
    expect(page.locator("#history-map path.leaflet-interactive")).to_have_count(2)
    page.screenshot(path=output_dir / "history.png", full_page=True)
    move.locator("[data-revert]").click()
    expect(page.locator("#edit-status")).to_contain_text("reverted", timeout=10000)
    expect(page.locator("#history-list li[data-edit]")).to_have_count(3)
    stop_a.refresh_from_db()
    assert (stop_a.geom.x, stop_a.geom.y) == pytest.approx((23.6850, 52.0976))
    assert FeatureEdit.objects.filter(reverts__isnull=False).count() == 1
    assert page.js_errors == []

    # Pinsk's layer: no editing tools, and a write from the session is refused.
    page.goto(f"{live_server.url}/en/layers/pinsk-stops/")
    page.wait_for_selector("#layer-map[data-ready=true]", timeout=20000)
    expect(page.locator(".leaflet-pm-toolbar")).to_have_count(0)
    expect(page.locator("#edit-undo")).to_have_count(0)
    status = page.evaluate(
        """async () => {
          const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
          const response = await fetch("/ogc/collections/pinsk-stops/items", {
            method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/geo+json",
                      "X-CSRFToken": csrf ? csrf.split("=")[1] : ""},
            body: JSON.stringify({type: "Feature", properties: {},
                                  geometry: {type: "Point", coordinates: [26.07, 52.11]}}),
          });
          return response.status;
        }"""
    )
    assert status == 403
    assert pinsk_stops.features.count() == 3
    page.screenshot(path=output_dir / "pinsk.png")


def test_editing_tools_speak_belarusian(page, live_server, brest_stops, planner_of, output_dir):
    planner_of("brest")
    sign_in(page, live_server, "/layers/brest-stops/")
    expect(page.locator("[title='Перамясціць аб\\'екты']").first).to_be_visible()
    expect(page.locator("[title='Дадаць пункт']").first).to_be_visible()
    expect(page.locator("#edit-undo")).to_have_text("Адмяніць апошнюю змену")
    expect(page.locator("#history-list")).to_contain_text("Імпартаваны з файла")
    page.locator("[title='Дадаць пункт']").first.click()
    page.mouse.move(400, 400)
    expect(page.locator(".leaflet-tooltip").first).to_contain_text("Пстрыкніце")
    page.screenshot(path=output_dir / "be.png")
    assert page.js_errors == []


def test_editing_fits_a_phone(page, live_server, brest_stops, planner_of, output_dir):
    planner_of("brest")
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, "/en/layers/brest-stops/")
    expect(page.locator("#history-list li")).to_have_count(1)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    page.screenshot(path=output_dir / "editing-375.png", full_page=True)


def test_a_tiled_layer_feature_is_moved_from_its_popup(
    page, live_server, brest_stops, planner_of, settings, output_dir
):
    settings.LAYER_GEOJSON_MAX_FEATURES = 1  # drawn from vector tiles
    planner_of("brest")
    stop_a = Feature.objects.get(layer=brest_stops, properties__name="Stop A")
    sign_in(page, live_server, "/en/layers/brest-stops/")
    page.evaluate("() => window.portalMap.setView([52.0976, 23.6850], 17)")
    tile_point = page.locator("#layer-map .leaflet-tile path.leaflet-interactive")
    expect(tile_point.first).to_be_visible(timeout=10000)
    # The tiles of the zoom the map left may still be on screen, about to go: let them.
    page.wait_for_timeout(800)
    start = point_on_screen(page, 23.6850, 52.0976)
    shape = page.locator(".leaflet-popup button[data-action=shape]")
    for _attempt in range(3):  # a click that lands while tiles are being replaced finds none
        page.mouse.click(start["x"], start["y"])
        try:
            shape.wait_for(timeout=3000)
            break
        except PlaywrightTimeout:
            continue
    shape.click()
    expect(page.locator("#edit-status")).to_contain_text("Drag the feature")
    page.screenshot(path=output_dir / "shape.png")
    page.mouse.move(start["x"], start["y"])
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(start["x"], start["y"] + step * 10, steps=2)
    page.mouse.up()
    expect(page.locator("#edit-status")).to_contain_text("moved or reshaped: saved", timeout=10000)
    stop_a.refresh_from_db()
    assert stop_a.geom.y < 52.0974
    entry = page.locator("#history-list li[data-edit]").first
    expect(entry).to_contain_text("moved or reshaped")
    assert page.js_errors == []
