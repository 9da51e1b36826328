"""The national map in Debian's Chromium: regions and cities drawn, a city's popup read."""

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_national_map_draws_regions_and_cities(live_server, demo, page, output_dir):
    page.goto(f"{live_server.url}/en/")
    page.wait_for_selector("#map[data-ready='true']", timeout=20000)
    assert page.locator("path.region").count() == 7
    # 16 cities as markers, Minsk as its boundary.
    assert page.locator("path.city-marker").count() == 16
    assert page.locator("path.city-boundary").count() == 1
    assert page.locator("path.city").count() == 17

    page.locator("path.city-grodno").click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Grodno" in text
    assert "363" in text  # population 363,718, formatted for the language
    assert "Boundary not yet published" in text
    page.screenshot(path=str(output_dir / "national-map.png"))
    popup.get_by_role("link").click()
    page.wait_for_url("**/en/cities/grodno/")
    page.wait_for_selector("#city-map[data-ready='true']")
    assert page.locator("path.city-marker").count() == 1
    assert page.js_errors == []


def test_city_page_in_belarusian_on_a_phone(live_server, demo, browser, output_dir):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(f"{live_server.url}/cities/minsk/")
    page.wait_for_selector("#city-map[data-ready='true']")
    assert page.locator("h1").inner_text() == "Мінск"
    assert page.locator("path.city-boundary").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    page.screenshot(path=str(output_dir / "minsk-phone.png"), full_page=True)
    context.close()


def test_a_failed_data_request_is_said_on_the_map_with_a_retry(live_server, demo, page):
    """A 429 (or any failure) never leaves a blank map without a word: the message in the
    page's language, and "Try again" loads the map."""
    refused = []

    def refuse_once(route):
        if not refused:
            refused.append(route.request.url)
            route.fulfill(status=429, headers={"Retry-After": "1"}, content_type="application/json",
                          body='{"detail": "Too many requests.", "code": "throttled"}')  # fmt: skip
        else:
            route.continue_()

    page.route("**/api/v1/cities/**", refuse_once)
    page.goto(f"{live_server.url}/en/")
    status = page.locator("#map .map-status[role=alert]")
    status.wait_for()
    assert "Too many requests" in status.inner_text()
    assert page.get_attribute("#map", "data-ready") is None
    status.get_by_role("button", name="Try again").click()
    page.wait_for_selector("#map[data-ready='true']", timeout=20000)
    assert page.locator("path.city").count() == 17
    assert page.locator("#map .map-status").count() == 0
    assert refused


def test_skip_link_then_the_map_controls_before_its_shapes(live_server, demo, page):
    """Keyboard users: the first Tab offers the skip link; the layer switcher comes within a
    few Tabs of the top (it took 39 when the 24 region and city shapes came first)."""
    page.goto(f"{live_server.url}/en/")
    page.wait_for_selector("#map[data-ready='true']", timeout=20000)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    presses = 1
    while presses < 40:
        presses += 1
        page.keyboard.press("Tab")
        if page.evaluate("Boolean(document.activeElement.closest('.layer-switcher'))"):
            break
    assert presses <= 20, presses


def test_city_names_shown_without_collisions_on_a_phone(live_server, demo, browser):
    """A phone has no hover: the names are on the map, bigger cities first, none covering
    another (Polotsk and Novopolotsk sit a few pixels apart at the country's zoom)."""
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(f"{live_server.url}/en/")
    page.wait_for_selector("#map[data-ready='true']", timeout=20000)
    page.wait_for_selector(".city-label")
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.city-label:not(.label-hidden)')].map(e => {
             const b = e.getBoundingClientRect();
             return {name: e.textContent, left: b.left, right: b.right, top: b.top,
                     bottom: b.bottom};
           })"""
    )
    names = {box["name"] for box in boxes}
    assert "Minsk" in names and len(names) >= 8
    assert not {"Polotsk", "Novopolotsk"} <= names
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (a["right"] <= b["left"] or b["right"] <= a["left"]
                     or a["bottom"] <= b["top"] or b["bottom"] <= a["top"])  # fmt: skip
            assert apart, (a["name"], b["name"])
    context.close()
