import pytest

from cities.indicators.demo import load as load_indicators
from cities.services.demo import load as load_services


@pytest.fixture
def indicator_demo(demo):
    load_services()
    load_indicators()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_indicator_page_draws_the_ranking_chart_the_map_and_keeps_the_table(
    page, live_server, indicator_demo, output_dir
):
    page.goto(f"{live_server.url}/en/indicators/ec-ict-ict-1c/?year=2023")
    page.wait_for_selector("figure.chart[data-drawn=true] canvas")
    page.wait_for_selector("#indicator-map[data-ready=true]")
    # The chart is drawn from the table, which stays on the page.
    rows = page.locator("#ranking-table tbody tr")
    assert rows.count() == 17
    chart = page.evaluate(
        "() => { const c = window.indicatorCharts[0];"
        " return {type: c.config.type, n: c.data.datasets[0].data.length,"
        " first: c.data.labels[0], w: c.canvas.width}; }"
    )
    assert chart["type"] == "bar" and chart["n"] == 17 and chart["w"] > 100
    assert chart["first"] == rows.first.locator("th").inner_text().strip()
    # Minsk is drawn by its boundary, the other 16 cities as circles.
    assert page.locator("path.city-boundary").count() == 1
    assert page.locator("path.city-marker").count() == 16
    assert "no published boundary" in page.locator(".map-note").inner_text()
    assert "sample" in page.locator("#ranking-table").inner_text().lower()
    page.screenshot(path=output_dir / "indicator.png", full_page=True)
    # The year selector reloads the page for the chosen year.
    page.select_option("#year", "2021")
    page.wait_for_url("**year=2021")
    page.wait_for_selector("figure.chart[data-drawn=true] canvas")
    assert page.js_errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_city_dashboard_draws_trend_charts_on_a_phone(
    page, live_server, indicator_demo, output_dir
):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/en/cities/minsk/")
    page.wait_for_selector("#indicators figure.chart[data-drawn=true] canvas")
    assert page.locator("#indicators .chart-table").count() >= 3
    assert page.locator("#indicators .badge.sample").count() >= 2
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375
    page.locator("#indicators").screenshot(path=output_dir / "city-indicators.png")
    assert page.js_errors == []
