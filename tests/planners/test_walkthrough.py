"""The eight tasks of issue 19, walked through in Chromium as a Brest planner would, in
Belarusian and in English: upload points, style them, re-upload, upload broken files, try
Pinsk's data, add a clinic, enter an indicator value, set the city boundary. Each result is
checked in the database or on the page the planner sees."""

import json
import re
from datetime import date

import pytest
from conftest import TEST_DATA
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect
from workplace import log_in

from cities.demo import DATA_DIR
from cities.models import City, IndicatorValue, ServiceLocation
from layers.models import Layer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the planner reads, per language (the rest is checked by its effect).
WORDS = {
    "be": {"finished": "скончыўся", "whose": "планіроўшчыкі горада Пінск", "reset": "Стыль скінуты",
           "kept": "захаваны", "line": "радку 1, пазіцыя", "brest": "Брэст",
           "range": "ад 0 да 100", "date": "01.03.2026"},
    "en": {"finished": "has finished", "whose": "planners of the city of Pinsk",
           "reset": "The style was reset", "kept": "is kept", "line": "at line 1, column",
           "brest": "Brest", "range": "from 0 to 100", "date": "2026-03-01"},
}  # fmt: skip


def brest_oblast(tmp_path):
    """The Brest oblast of Natural Earth: an official-looking boundary that holds Brest's point."""
    with open(DATA_DIR / "ne10m_admin1_belarus.geojson", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    feature = next(f for f in features if f["properties"]["iso_3166_2"] == "BY-BR")
    path = tmp_path / "brest_boundary.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


@pytest.mark.parametrize("language", ["be", "en"])
def test_a_brest_planner_does_the_eight_tasks(
    page,
    live_server,
    brest_planner,
    pinsk_layer,
    eager_celery,
    tmp_path,
    language,
):
    words = WORDS[language]
    site = live_server.url
    log_in(page, live_server, brest_planner, language)
    brest = City.objects.get(slug="brest")

    # 1. Upload points: a CSV whose coordinate columns have unusual names. The form says so at
    # the top, keeps the file and opens the options; the import then ends with a notice.
    page.click(".home-section a.addlink")
    page.fill("#id_title_be", "Гарады праграмы")
    page.fill("#id_title_en", "Programme cities")
    page.select_option("#id_city", label=words["brest"])
    page.set_input_files("#id_file", str(TEST_DATA / "target_cities_17.csv"))
    page.click("input[name=_save]")
    summary = page.locator(".upload-summary")
    expect(summary).to_contain_text("target_cities_17.csv")
    expect(summary).to_contain_text(words["kept"])
    page.fill("#id_x_column", "osm_lon")
    page.fill("#id_y_column", "osm_lat")
    page.click("input[name=_save]")
    page.wait_for_selector(".layer-import[data-status=ready]")
    expect(page.locator(".messagelist")).to_contain_text(words["finished"])
    layer = Layer.objects.get(title_en="Programme cities")
    assert (layer.feature_count, layer.city, layer.is_draft) == (17, brest, True)
    assert re.fullmatch(r"[a-z0-9-]+", layer.slug)

    # 2. Style them: two clicks from the home page; a draft previewed on the real layer page,
    # then published.
    page.goto(f"{site}{reverse('admin:index')}")
    page.click(f".home-layers a[href='{reverse('admin:layers_layer_change', args=[layer.pk])}']")
    page.click(f"a[href='{reverse('admin:layers_layer_style', args=[layer.pk])}']")
    assert page.url.endswith(f"/layers/layer/{layer.pk}/style/")
    page.wait_for_selector("#style-map[data-ready=true]")  # its script listens from here on
    page.select_option("#id_type", "categorized")
    page.select_option("#id_attribute", "oblast_en")
    expect(page.locator("#style-categories tbody tr")).to_have_count(7)
    expect(page.locator("#legend")).to_contain_text("Brest")
    page.click("#style-form input[type=submit]")
    page.wait_for_url(f"**/layers/layer/{layer.pk}/change/")
    page.click(f".object-tools a[href$='{layer.get_absolute_url()}']")  # /en/... in English
    expect(page.locator(".draft-banner")).to_be_visible()
    expect(page.locator("#legend")).to_contain_text("Brest")
    page.goto(f"{site}{reverse('admin:layers_layer_publish', args=[layer.pk])}")
    page.click("#content-main input[type=submit]")
    layer.refresh_from_db()
    assert not layer.is_draft

    # 3. Re-upload: polygons without the styled attribute. The legend does not keep the old
    # categories, and the planner is told; then version 1 is restored, as version 3.
    page.set_input_files("#id_file", str(TEST_DATA / "oblasts.fgb"))
    page.click("input[name=_save]")
    page.wait_for_selector(".layer-import[data-status=ready]")
    expect(page.locator(".layer-report")).to_contain_text(words["reset"])
    # The layer's page in the planner's language: a page read in a language makes it the one
    # the admin follows (geoportal/languages.py).
    with translation.override(language):
        page.goto(f"{site}{layer.get_absolute_url()}")
    expect(page.locator("#legend li")).to_have_count(1)
    page.goto(f"{site}{reverse('admin:index')}")
    expect(page.locator(".home-attention")).to_contain_text(words["reset"])
    first = layer.versions.get(number=1)
    page.goto(f"{site}{reverse('admin:layers_layer_change', args=[layer.pk])}")
    page.click(
        f"a[href='{reverse('admin:layers_layer_version_restore', args=[layer.pk, first.pk])}']"
    )
    page.click("#content-main input[type=submit]")
    page.wait_for_selector(".layer-import[data-status=ready]")
    layer.refresh_from_db()
    assert (layer.version, layer.feature_count, layer.geometry_type) == (3, 17, "Point")
    assert layer.versions.get(number=3).restored_from == first
    features = page.request.get(f"{site}/api/v1/layers/{layer.slug}/features/").json()
    assert {f["properties"]["oblast_en"] for f in features["features"]} >= {"Brest", "Gomel"}

    # 4. Broken files: the problem at the top, where it is, and what to do.
    page.goto(f"{site}{reverse('admin:layers_layer_add')}")
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    page.fill("#id_title_be", "Зламаны файл")
    page.set_input_files("#id_file", str(broken))
    page.click("input[name=_save]")
    summary = page.locator(".upload-summary")
    expect(summary).to_contain_text("broken.geojson")
    expect(summary).to_contain_text(words["line"])
    assert summary.bounding_box()["y"] < 400  # at the top, not 1,360 px below
    assert not Layer.objects.filter(title_be="Зламаны файл").exists()

    # 5. Pinsk's data: the link is explained, whose it is and why.
    response = page.goto(f"{site}{reverse('admin:layers_layer_change', args=[pinsk_layer.pk])}")
    assert response.status == 403
    expect(page.locator(".refusal")).to_contain_text(words["whose"])
    pinsk = City.objects.get(slug="pinsk")
    page.goto(f"{site}{reverse('admin:cities_city_change', args=[pinsk.pk])}")
    expect(page.locator(f"a[href='{reverse('admin:cities_city_boundary', args=[pinsk.pk])}']"))\
        .to_have_count(0)  # fmt: skip

    # 6. Add a clinic: only the Belarusian name, the map opens on Brest, the hours typed the
    # local way.
    page.goto(f"{site}{reverse('admin:cities_servicelocation_add')}")
    page.fill("#id_name_be", "Гарадская паліклініка")
    page.select_option("#id_category", label="Паліклініка" if language == "be" else "Clinic")
    page.click(".leaflet-draw-draw-marker")
    page.locator(".leaflet-container").first.click()  # the middle of the map: Brest
    page.click("#id_opening_hours_editor summary")
    page.fill("#id_opening_hours", "Пн-Пт 8.00-20.00; Сб 9.00-15.00")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    clinic = ServiceLocation.objects.get(name_be="Гарадская паліклініка")
    assert (clinic.city, clinic.name_en) == (brest, "")
    assert clinic.opening_hours == "Mo-Fr 08:00-20:00; Sa 09:00-15:00"

    # 7. An indicator value typed with a decimal comma, checked against its range first.
    page.goto(f"{site}{reverse('admin:cities_indicatorvalue_add')}")
    page.click("#indicatorvalue_form .select2-selection")
    page.fill(".select2-search__field", "EC: ICT: ICT: 1C")
    page.locator(".select2-results__option", has_text="EC: ICT: ICT: 1C").click()
    expect(page.locator(".field-unit").first).to_contain_text("%")
    page.select_option("#id_city", label=words["brest"])
    page.fill("#id_year", "2025")
    page.fill("#id_source", "Брэсцкі гарвыканкам")
    page.fill("#id_value", "137,5")
    page.click("input[name=_save]")
    expect(page.locator(".errorlist")).to_contain_text(words["range"])
    page.fill("#id_value", "37,5")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert IndicatorValue.objects.get(city=brest, year=2025).value == 37.5

    # 8. Set the city's boundary from a file, the date typed the local way.
    page.goto(f"{site}{reverse('admin:index')}")
    page.click(f"a[href='{reverse('admin:cities_city_boundary', args=[brest.pk])}']")
    page.set_input_files("#id_file", str(brest_oblast(tmp_path)))
    page.fill("#id_source", "Natural Earth")
    page.fill("#id_date", words["date"])
    page.click("input[type=submit]")
    expect(page.locator(".messagelist li")).to_be_visible()
    brest.refresh_from_db()
    assert brest.has_boundary and brest.boundary_date == date(2026, 3, 1)
    assert page.js_errors == []
