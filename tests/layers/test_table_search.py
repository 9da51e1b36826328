"""The attribute table's search and headings (layers/catalogue.py table_page, column_labels)."""

import pytest
from django.utils import translation

from layers.catalogue import column_labels, table_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(ready_layer):
    return ready_layer(
        "places",
        [("POINT(30.4 54.5)", {"name_be": "Орша", "name_ru": "Орша", "place": "town"}),
         ("POINT(27.5 53.9)", {"name_be": "Мінск", "name_ru": "Минск", "place": "city"}),
         ("POINT(25.3 53.9)", {"name_be": "Ліда", "name_ru": "Лида", "place": "town"}),
         ("POINT(24.0 52.0)", {"name": "Café Crème", "note": "50%_off"})],
    )  # fmt: skip


def names(page):
    return {
        row["properties"].get("name_be") or row["properties"].get("name") for row in page["rows"]
    }


def test_words_in_any_column_any_case_any_accents(places):
    assert names(table_page(places, text="орша")) == {"Орша"}
    assert names(table_page(places, text="TOWN")) == {"Орша", "Ліда"}
    assert names(table_page(places, text="cafe creme")) == {"Café Crème"}
    assert names(table_page(places, text="минск city")) == {"Мінск"}
    assert table_page(places, text="орша минск")["count"] == 0


def test_like_wildcards_and_nul_are_plain_characters(places):
    assert names(table_page(places, text="%_")) == {"Café Crème"}
    assert table_page(places, text="%")["count"] == 1
    assert table_page(places, text="a\x00b")["count"] == 0


def test_headings_from_the_layer_or_sensible_defaults(places):
    places.column_labels = {"note": {"be": "Заўвага", "en": "Note"}}
    with translation.override("en"):
        labels = column_labels(places)
        assert labels["name_be"] == "Name (Belarusian)"
        assert labels["note"] == "Note"
        assert labels["place"] == "Kind of place"
    with translation.override("be"):
        labels = column_labels(places)
        assert labels["name_be"] == "Назва (па-беларуску)"
        assert labels["note"] == "Заўвага"
    with translation.override("ru"):
        assert column_labels(places)["note"] == "Заўвага"  # no Russian given: Belarusian


def test_the_table_endpoint_searches_and_labels(client, places):
    data = client.get("/en/layers/places/table.json", {"q": "ЛИДА"}).json()
    assert data["count"] == 1
    assert data["labels"]["name_ru"] == "Name (Russian)"
    html = client.get("/en/layers/places/").content.decode()
    assert 'title="name_ru">Name (Russian)</button>' in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_search_box_on_a_layer_page_opens_its_feature(places, live_server, page):
    from geoportal.search import index

    index.refresh_layer(places)
    page.goto(f"{live_server.url}/en/layers/places/")
    page.wait_for_selector("#layer-map[data-ready='true']")
    page.fill("#search-input", "Lida")  # Latin for Ліда
    page.wait_for_selector("#search-results [role=option]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#features-table tr.selected")
    assert "Ліда" in page.locator("#features-table tr.selected").inner_text()
    assert "Ліда" in page.locator(".leaflet-popup-content").inner_text()
    assert page.js_errors == []


def test_keywords_in_the_readers_language_on_the_page_and_the_ogc_api(client, ready_layer):
    ready_layer("tagged", [("POINT(27.5 53.9)", {"name": "a"})],
                keywords=["settlements", "OpenStreetMap", "Belarus", "own-tag"])  # fmt: skip
    # The OGC API first: a page read makes its language the chosen one (a cookie).
    ogc = client.get("/ogc/collections/tagged?f=json", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert ogc["keywords"] == ["населённые пункты", "OpenStreetMap", "Беларусь", "own-tag"]
    regions = client.get("/ogc/collections/regions?f=json", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert regions["keywords"] == ["границы"]
    be = client.get("/layers/tagged/").content.decode()
    assert "населеныя пункты, OpenStreetMap, Беларусь, own-tag" in be
    en = client.get("/en/layers/tagged/").content.decode()
    assert "settlements, OpenStreetMap, Belarus, own-tag" in en
