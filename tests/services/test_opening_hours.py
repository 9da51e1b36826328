"""Opening hours in words (cities/services/hours.py) and the services page's filters."""

from datetime import date

import pytest
from conftest import wait_until
from django.contrib.gis.geos import Point
from django.utils import translation

from cities.services.hours import week


def test_a_week_from_today_in_words_with_holidays():
    with translation.override("en"):
        days = week("Mo-Fr 08:00-20:00; Sa 09:00-13:00,14:00-15:00; PH off", date(2026, 12, 30))
    assert [d["day"] for d in days][:3] == ["Wednesday", "Thursday", "Friday"]
    assert days[0]["today"] and not any(d["today"] for d in days[1:])
    assert days[0]["hours"] == "08:00–20:00"
    assert days[2] == {**days[2], "holiday": True, "hours": "closed"}  # 1 January
    assert days[3]["hours"] == "closed" and days[3]["holiday"]  # 2 January, also a holiday
    assert days[5]["hours"] == "08:00–20:00" and not days[5]["holiday"]
    with translation.override("be"):
        days = week("24/7", date(2026, 12, 31))
    assert days[0] == {"date": "2026-12-31", "day": "Чацвер", "today": True, "holiday": False,
                       "hours": "кругласутачна"}  # fmt: skip


def test_no_hours_or_unreadable_hours_give_no_table():
    assert week("") == []
    assert week("not hours at all") == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_open_now_and_wheelchair_filters_and_the_week_table(demo, live_server, page):
    from cities.models import ServiceCategory, ServiceLocation
    from cities.services.demo import load_categories

    load_categories()
    pharmacy = ServiceCategory.objects.get(slug="pharmacy")
    for name, hours, wheelchair, lon in [
        ("Always open (test)", "24/7", "yes", 27.55),
        ("Never open (test)", "off", "no", 27.56),
    ]:
        ServiceLocation.objects.create(
            category=pharmacy, name_en=name, name_be=name, opening_hours=hours,
            wheelchair=wheelchair, location=Point(lon, 53.9), source="test",
        )  # fmt: skip
    page.goto(f"{live_server.url}/en/services/?city=minsk")
    page.wait_for_selector("#services-list li[data-id]")
    assert page.locator("#services-list li[data-id]").count() == 2
    page.check("input[name=open]")
    wait_until(page, "location.search.includes('open=1')")
    wait_until(page, "document.querySelectorAll('#services-list li[data-id]').length === 1")
    assert "Always open" in page.locator("#services-list").inner_text()
    page.uncheck("input[name=open]")
    page.check("input[name=wheelchair]")
    wait_until(
        page, "location.search.includes('wheelchair=1') && !location.search.includes('open=')"
    )
    wait_until(page, "document.querySelectorAll('#services-list li[data-id]').length === 1")
    page.locator("#services-list li[data-id] button").first.click()
    table = page.locator(".leaflet-popup-content .hours-table")
    table.wait_for()
    assert (
        table.locator("tr.today").inner_text().startswith(date.today().strftime("%A"))
    )  # the page's language is English
    assert "open 24 hours" in table.inner_text()
    assert "24/7" not in page.locator(".leaflet-popup-content").inner_text()
    assert page.js_errors == []
