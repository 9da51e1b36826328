"""The services page and the services section of the city pages, in Django and in a browser."""

import re

import pytest
from conftest import wait_until

from cities.models import City, ServiceLocation
from cities.services.query import ServiceQuery

MINSK_CENTRE = {"latitude": 53.9045, "longitude": 27.5615}


@pytest.fixture
def demo_services(demo):
    from cities.services.demo import load

    load()


@pytest.mark.django_db
def test_city_page_lists_its_services_by_category(demo_services, client):
    response = client.get("/en/cities/gomel/")
    assert response.status_code == 200
    html = response.content.decode()
    count = ServiceLocation.objects.filter(city__slug="gomel").count()
    assert count > 0
    assert f'Railway station <span class="count">({count})</span>' in html
    assert "/en/services/?city=gomel&amp;category=railway-station" in html
    assert "boundary is not yet published" in html
    minsk = client.get("/en/cities/minsk/").content.decode()
    assert "Public transport stop" in minsk
    assert "(no licence stated)" in minsk


@pytest.mark.django_db
def test_services_page_renders_chips_and_the_licence_note(demo_services, client):
    html = client.get("/en/services/").content.decode()
    assert 'data-category="railway-station"' in html
    assert 'data-category="pharmacy"' in html  # empty categories are offered too
    assert "states no licence" in html
    about = client.get("/en/about/data/").content.decode()
    assert "Minsk public transport stops" in about
    assert "no licence" in about


@pytest.mark.browser
def test_near_me_then_a_category_lists_the_nearest_in_order(
    transactional_db, demo_services, live_server, page, output_dir
):
    page.set_default_timeout(60_000)  # two cores shared with the live server
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(MINSK_CENTRE)
    page.goto(f"{live_server.url}/en/services/")
    page.wait_for_selector("#services-map[data-ready=true]")
    page.click("#near-me")
    wait_until(page, "location.search.includes('near=')")
    page.click(".chip[data-category=railway-station]")
    wait_until(
        page,
        "location.search.includes('category=railway-station')"
        " && document.querySelector('#services-list').dataset.mode === 'nearest'"
        " && !document.querySelector('#services-list').hasAttribute('aria-busy')",
    )
    wait_until(
        page,
        "[...document.querySelectorAll('#services-list .service-meta')]"
        ".every(e => e.textContent.includes('Railway station'))",
    )
    names = page.locator("#services-list .service-name").all_inner_texts()
    distances = page.locator("#services-list .distance").all_inner_texts()
    expected = list(
        ServiceQuery(
            near=(MINSK_CENTRE["longitude"], MINSK_CENTRE["latitude"]),
            categories=["railway-station"],
            limit=50,
        ).queryset()
    )
    assert names == [s.name for s in expected]

    def metres(text):
        number = float(re.sub(r"[^\d.]", "", text.replace(",", ".")))
        return number * 1000 if "km" in text else number

    assert [metres(d) for d in distances] == sorted(metres(d) for d in distances)
    assert metres(distances[0]) == pytest.approx(expected[0].distance_m, rel=0.06)
    assert "near=27.56" in page.url
    page.screenshot(path=output_dir / "services-nearest.png")
    assert page.js_errors == []


@pytest.mark.browser
def test_without_geolocation_a_click_on_the_map_sets_the_point(
    transactional_db, demo_services, live_server, page, output_dir
):
    gomel = City.objects.get(slug="gomel").location
    page.set_default_timeout(60_000)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/en/services/?category=transport&city=gomel")
    page.wait_for_selector("#services-map[data-ready=true]")
    page.click("#near-me")  # no permission: the page says to click the map
    wait_until(
        page, "document.querySelector('#services-status').textContent.includes('click the map')"
    )
    page.evaluate(
        "([lat, lon]) => window.portalMap.fire('click', {latlng: L.latLng(lat, lon)})",
        [gomel.y, gomel.x],
    )
    wait_until(page, "document.querySelector('#services-list').dataset.mode === 'nearest'")
    wait_until(page, "!document.querySelector('#services-list').hasAttribute('aria-busy')")
    first = page.locator("#services-list .service-name").first.inner_text()
    nearest = ServiceQuery(
        near=(gomel.x, gomel.y), categories=["transport"], city=City.objects.get(slug="gomel")
    ).queryset()[0]
    assert first == nearest.name
    assert "city=gomel" in page.url and "near=" in page.url
    page.screenshot(path=output_dir / "services-phone.png", full_page=True)
    assert page.js_errors == []
