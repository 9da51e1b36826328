"""The six things a citizen comes for, done in Debian's Chromium as a citizen would, in Belarusian
and English, on a 375 px phone and a desktop; then axe-core (vendored in tests/vendor) scans
every page in both sizes and both languages, and no page may be wider than a 320 px phone.
Each size loads the data once and runs all of it, so that the suite stays quick on two cores."""

import csv
import json
from pathlib import Path

import pytest
from conftest import ROOT, wait_until
from django.utils import translation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
SIZES = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}
SETTLEMENTS = "osm-settlements-belarus"
# Real rows of the demo settlements file: these places and a few hundred others.
WANTED = {"Орша", "Пінск", "Мінск", "Магілёў", "Барысаў"}
STOP_POINT = (27.5615, 53.9045)  # Independence Square, Minsk


@pytest.fixture
def citizen_data(demo, ready_layer):
    """Cities, the real services, the indicators, and part of the real settlements layer."""
    from cities.indicators.demo import load as load_indicators
    from cities.services.demo import MINSK_STOPS_SOURCE, load_categories, minsk_stop_records
    from cities.services.imports import import_services
    from geoportal.search import index

    load_categories()
    import_services(minsk_stop_records(), source=MINSK_STOPS_SOURCE)
    load_indicators()
    rows = []
    source = ROOT / "layers" / "data" / "osm_hotosm_settlements_belarus_wkt.csv"
    with open(source, encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            if row["name_be"] in WANTED or number % 100 == 0:
                geometry = row.pop("geometry")
                rows.append((geometry, {k: v for k, v in row.items() if v}))
    layer = ready_layer(
        SETTLEMENTS, rows, title_be="Населеныя пункты Беларусі (OpenStreetMap)",
        title_en="Settlements of Belarus (OpenStreetMap)", licence="ODbL 1.0", version=1,
        attributes=[{"name": n, "type": "string"} for n in
                    ("id", "name", "name_ru", "name_be", "name_en", "name_latin", "place",
                     "adm1_name", "adm2_name")],
    )  # fmt: skip
    index.refresh_layer(layer)


def at(language, path):
    return path if language == "be" else f"/{language}{path}"


def text_of(language, english, belarusian):
    return belarusian if language == "be" else english


def wait_map(page, selector):
    page.wait_for_selector(f"{selector}[data-ready='true']", timeout=30000)


def find_pinsk(page, base, language):
    page.goto(base + at(language, "/"))
    wait_map(page, "#map")
    page.fill("#search-input", text_of(language, "Pinks", "Пінск"))  # a typo in English
    page.wait_for_selector("#search-results [role=option]")
    first = page.locator("#search-results [role=option]").first
    assert text_of(language, "Pinsk", "Пінск") in first.inner_text()
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#search-input", "aria-activedescendant") == "search-results-0"
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert text_of(language, "Pinsk", "Пінск") in popup.inner_text()
    centre = page.evaluate("portalMap.getCenter()")
    assert abs(centre["lat"] - 52.11) < 0.1 and abs(centre["lng"] - 26.10) < 0.15


def nearest_stop(page, base, language):
    from cities.services.query import ServiceQuery

    page.goto(base + at(language, "/services/?category=public-transport-stop"))
    wait_map(page, "#services-map")
    page.evaluate("([lon, lat]) => portalMap.setView([lat, lon], 16, {animate: false})", STOP_POINT)
    page.wait_for_timeout(400)
    page.locator("#services-map").click(position={"x": 60, "y": 60}, force=True)
    page.wait_for_selector("#services-list[data-mode='nearest'] li[data-id]")
    near = page.evaluate("new URLSearchParams(location.search).get('near')")
    lon, lat = (float(n) for n in near.split(","))
    expected = ServiceQuery(categories=["public-transport-stop"], near=(lon, lat), limit=1)
    stop = expected.queryset()[0]
    first = page.locator("#services-list li[data-id]").first
    assert first.get_attribute("data-id") == str(stop.pk)
    assert stop.name_ru in first.inner_text()
    metres = round(stop.distance_m)
    assert f"{metres} {text_of(language, 'm', 'м')}" in first.inner_text().replace("\xa0", " ")


def download_orsha(page, base, language):
    page.goto(base + at(language, f"/layers/{SETTLEMENTS}/"))
    wait_map(page, "#layer-map")
    header = page.locator("#features-table thead").inner_text()
    assert text_of(language, "Name (Belarusian)", "Назва (па-беларуску)") in header
    assert "name_be" not in header
    page.fill("#table-q", "орша")  # lower case, found in any column
    wait_until(
        page,
        "[...document.querySelectorAll('#features-table tbody tr')].every("
        "r => r.textContent.toLowerCase().includes('орша'))",
    )
    row = page.locator("#features-table tbody tr", has_text="Орша").first
    row.click()
    # The map comes back into view (on a phone the table is below it).
    wait_until(
        page,
        "(() => { const b = document.getElementById('layer-map').getBoundingClientRect();"
        " return b.top > -2 && b.top < innerHeight / 2; })()",
    )
    page.check("#download-view")
    with page.expect_download() as download:
        page.locator("a.download[data-format='geojson']").click()
    data = json.loads(Path(download.value.path()).read_text())
    names = {f["properties"].get("name_be") for f in data["features"]}
    assert "Орша" in names
    assert all("орша" in json.dumps(f["properties"], ensure_ascii=False).lower()
               for f in data["features"])  # fmt: skip


def permalink(page, base, language):
    page.goto(base + at(language, "/"))
    wait_map(page, "#map")
    page.evaluate("portalMap.setView([53.9, 27.56], 11, {animate: false})")
    wait_until(page, "location.hash.startsWith('#map=11/')")
    page.locator(".share-button").click()
    toast = page.locator("#toast.shown")
    toast.wait_for()
    assert text_of(language, "Link copied", "Спасылка скапіявана") in toast.inner_text()
    link = page.evaluate("navigator.clipboard.readText()")
    assert "#map=11/" in link
    page.goto("about:blank")
    page.goto(link)
    wait_map(page, "#map")
    assert page.evaluate("portalMap.getZoom()") == 11
    centre = page.evaluate("portalMap.getCenter()")
    assert abs(centre["lat"] - 53.9) < 0.01 and abs(centre["lng"] - 27.56) < 0.01


def minsk_indicator(page, base, language):
    from cities.indicators.queries import city_dashboard
    from cities.indicators.templatetags.indicators import number
    from cities.models import City

    page.goto(base + at(language, "/cities/minsk/"))
    card = page.locator(".kpi-card").first
    card.wait_for()
    code = card.get_attribute("data-code")
    with translation.override(language):
        series = next(
            s for d in city_dashboard(City.objects.get(slug="minsk")) for sub in d.children
            for c in sub.children for s in c.children if s.indicator.code == code
        )  # fmt: skip
        expected = number(series.latest.value)
    assert card.locator(".kpi-value").inner_text() == expected
    assert card.locator(".kpi-year").inner_text() == f"({series.latest.year})"


def switch_language(page, base, language):
    page.goto(base + at(language, "/cities/pinsk/#map=12/52.1/26.1"))
    page.wait_for_selector("#city-map[data-ready='true']")
    target = "en" if language == "be" else "be"
    page.locator(f".language-switcher button[value='{target}']").click()
    page.wait_for_load_state()
    wait_until(page, f"document.documentElement.lang === {json.dumps(target)}")
    assert page.evaluate("location.pathname") == at(target, "/cities/pinsk/")
    assert page.evaluate("location.hash") == "#map=12/52.1/26.1"
    assert page.locator("h1").inner_text() == text_of(target, "Pinsk", "Пінск")


TASKS = [find_pinsk, nearest_stop, download_orsha, permalink, minsk_indicator, switch_language]


def pages():
    """Every kind of page of the portal (the API docs' own widget, Swagger UI, aside)."""
    from cities.models import Indicator

    indicator = Indicator.objects.filter(values__city__slug="minsk").first()
    return [
        "/", "/cities/", "/cities/minsk/", "/cities/pinsk/", "/layers/", f"/layers/{SETTLEMENTS}/",
        "/services/", "/indicators/", indicator.get_absolute_url(), "/about/data/",
    ]  # fmt: skip


UNPREFIXED = ["/ogc/?f=html", f"/ogc/collections/{SETTLEMENTS}?f=html", "/api/v1/docs/"]
READY = {"/": "#map", "/cities/minsk/": "#city-map", "/services/": "#services-map",
         f"/layers/{SETTLEMENTS}/": "#layer-map"}  # fmt: skip


def axe_violations(page):
    """The serious and critical violations axe-core finds in the portal's own markup."""
    # Through the DevTools protocol: a script tag would be inline code, which the portal's
    # Content-Security-Policy blocks.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    return page.evaluate(
        """async () => {
            const r = await axe.run({ exclude: [["#swagger-ui"]] }, {
              resultTypes: ["violations"],
              // Touch targets of 24 px (WCAG 2.2): axe-core leaves this rule off by default.
              rules: { "target-size": { enabled: true } },
            });
            return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
              .map(v => `${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`);
        }"""
    )


@pytest.mark.parametrize("size", SIZES)
def test_six_citizen_tasks_then_axe_on_every_page(
    live_server, browser, citizen_data, size, output_dir
):
    """One data set per size (loading it is most of the time): the tasks, then the scan."""
    context = browser.new_context(viewport=SIZES[size], accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        for language in ("be", "en"):
            for task in TASKS:
                task(page, live_server.url, language)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= SIZES[size]["width"], f"{task.__name__}: {width} px wide"
        assert errors == []
        assert scan_every_page(page, live_server.url, SIZES[size]["width"]) == {}
        if size == "phone":
            # The narrowest phones in use: no page wider than 320 px either.
            page.set_viewport_size({"width": 320, "height": 640})
            assert scan_every_page(page, live_server.url, 320, axe=False) == {}
    finally:
        page.screenshot(path=str(output_dir / f"last-{size}.png"), full_page=True)
        context.close()


def scan_every_page(page, base, width, axe=True):
    """{path: [serious or critical violations (axe), or the page's width if wider than the
    screen]}"""
    found = {}
    for language in ("be", "en"):
        paths = [at(language, p) for p in pages()]
        if language == "en":
            paths += UNPREFIXED
        for path in paths:
            page.goto(base + path)
            bare = path.removeprefix("/en")
            if bare in READY:
                wait_map(page, READY[bare])
            else:
                page.wait_for_load_state("networkidle")
            if axe and (violations := axe_violations(page)):
                found[path] = violations
            if (wide := page.evaluate("document.documentElement.scrollWidth")) > width:
                found.setdefault(path, []).append(f"{wide} px wide")
    return found


def test_the_axe_scan_finds_what_it_should(live_server, page):
    """So that the scan above can fail: a nameless button, an image without text, and two
    touch targets of 12 px side by side."""
    page.goto(live_server.url + "/about/data/")
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
             '<button></button><img src="/static/favicon.svg">' +
             '<div style="display:flex">' +
             '<a href="#a" style="display:block;width:12px;height:12px">a</a>' +
             '<a href="#b" style="display:block;width:12px;height:12px">b</a></div>')"""
    )
    found = " ".join(axe_violations(page))
    assert "button-name" in found
    assert "image-alt" in found
    assert "target-size" in found
