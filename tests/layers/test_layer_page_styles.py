"""Styles and legends (layers/styles.py) and the admin's style editor with live preview."""

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import LineString, Point
from django.core.exceptions import ValidationError
from django.utils import translation
from playwright.sync_api import expect

from layers.styles import clean_style, default_style, effective_style, legend

SYMBOL = {"stroke_colour": "#000000", "fill_colour": "#ffffff"}


@pytest.fixture(autouse=True)
def english():
    """Messages and legend labels compared in English (the default language is Belarusian)."""
    with translation.override("en"):
        yield


@pytest.fixture
def districts(layer_with_features):
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]
    kinds = ["park", "park", "school", "park", "school", "lake", "park", "school", "lake", None]
    return layer_with_features(
        "districts",
        [(Point(27.5 + i / 100, 53.9, srid=4326), {"people": v, "kind": k, "note": "x"})
         for i, (v, k) in enumerate(zip(values, kinds, strict=True))],
        attributes=[{"name": "people", "type": "integer"}, {"name": "kind", "type": "string"},
                    {"name": "note", "type": "string"}],
    )  # fmt: skip


def test_default_style_per_geometry_type():
    assert default_style("Point")["symbol"]["radius"] == 6
    assert default_style("MultiLineString")["symbol"]["fill_opacity"] == 0
    assert default_style("MultiPolygon")["symbol"]["fill_opacity"] == 0.45
    assert default_style("Point")["type"] == "single"


@pytest.mark.django_db
def test_layer_without_style_gets_the_default(districts):
    assert districts.style == {}
    assert effective_style(districts) == default_style("Point")
    assert legend(districts) == [
        {"label": districts.title, "symbol": default_style("Point")["symbol"]}
    ]


@pytest.mark.django_db
def test_graduated_quantiles_and_equal_intervals_computed_in_postgis(districts):
    quantiles = {"type": "graduated", "attribute": "people", "method": "quantile",
                 "class_count": 2, "ramp": "Blues", "symbol": SYMBOL}  # fmt: skip
    quantiles = clean_style(quantiles, districts)
    assert [(c["min"], c["max"]) for c in quantiles["classes"]] == [(1, 5.5), (5.5, 100)]
    assert [c["colour"] for c in quantiles["classes"]] == ["#f7fbff", "#08306b"]
    equal = {"type": "graduated", "attribute": "people", "method": "equal_interval",
             "class_count": 3, "ramp": "YlOrRd", "symbol": SYMBOL}  # fmt: skip
    equal = clean_style(equal, districts)
    assert [(c["min"], c["max"]) for c in equal["classes"]] == [(1, 34), (34, 67), (67, 100)]
    assert [entry["label"] for entry in legend(districts, equal)] == [
        "1 – 34",
        "34 – 67",
        "67 – 100",
    ]


@pytest.mark.django_db
def test_categories_from_the_attribute_values(districts):
    style = clean_style({"type": "categorized", "attribute": "kind", "symbol": SYMBOL}, districts)
    assert [c["value"] for c in style["categories"]] == ["lake", "park", "school"]
    entries = legend(districts, style)
    assert [e["label"] for e in entries] == ["lake", "park", "school", "other"]
    assert entries[0]["symbol"]["fill_colour"] == style["categories"][0]["colour"]


@pytest.mark.django_db
def test_line_classes_colour_the_stroke(layer_with_features):
    roads = layer_with_features(
        "roads", [(LineString((27.5, 53.9), (27.6, 53.9), srid=4326), {"lanes": 2})],
        attributes=[{"name": "lanes", "type": "integer"}],
    )  # fmt: skip
    style = clean_style({"type": "categorized", "attribute": "lanes", "symbol": SYMBOL}, roads)
    assert legend(roads, style)[0]["symbol"]["stroke_colour"] == style["categories"][0]["colour"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("style", "message"),
    [
        ({"type": "pie"}, "single, categorized or graduated"),
        ({"type": "single", "symbol": {"fill_colour": "red"}}, "colour like #1f78b4"),
        ({"type": "single", "symbol": {"fill_opacity": 3}}, "between 0 and 1"),
        ({"type": "single", "symbol": {"icon": "javascript:alert(1)"}}, "http(s) URL"),
        ({"type": "graduated", "attribute": "nope"}, "Choose an attribute"),
        ({"type": "graduated", "attribute": "note"}, "no numeric values"),
        ({"type": "graduated", "attribute": "people", "ramp": "Rainbow"}, "Unknown colour ramp"),
    ],
)
def test_bad_styles_are_refused_with_a_message(districts, style, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        clean_style(style, districts)


@pytest.mark.django_db
def test_style_editor_refuses_other_cities_planners(client, districts, demo):
    from cities.models import City

    districts.city = City.objects.get(slug="minsk")
    districts.save()
    stranger = User.objects.create_user("brest-planner", is_staff=True)
    stranger.groups.add(City.objects.get(slug="brest").planners)
    client.force_login(stranger)
    assert client.get(f"/admin/layers/layer/{districts.pk}/style/").status_code in (403, 404)
    response = client.post(f"/admin/layers/layer/{districts.pk}/style/preview/", {"type": "single"})
    assert response.status_code in (403, 404)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_style_editor_live_preview_and_save(page, live_server, districts, output_dir):
    # The superuser does not own this national layer (no city): editing it is theirs all the same.
    User.objects.create_superuser("admin", password="pw-for-tests-only")
    assert districts.owner is None and districts.city is None
    page.goto(f"{live_server.url}/admin/login/?next=/admin/layers/layer/{districts.pk}/style/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_selector("#style-map[data-ready=true]", timeout=15000)
    markers = page.locator("#style-map path.leaflet-interactive")
    expect(markers).to_have_count(10)
    # Single symbol, new fill colour: the preview follows without saving.
    page.locator("#id_fill_colour").fill("#00ff00")
    expect(page.locator("#style-map path.leaflet-interactive[fill='#00ff00']")).to_have_count(10)
    # Graduated by "people", two quantile classes: two colours on the map and in the legend.
    page.select_option("#id_attribute", "people")
    page.select_option("#id_method", "quantile")
    page.fill("#id_class_count", "2")
    page.select_option("#id_ramp", "Blues")
    page.select_option("#id_type", "graduated")
    expect(page.locator("#legend li")).to_have_count(2)
    expect(page.locator("#style-map path.leaflet-interactive[fill='#08306b']")).to_have_count(5)
    # A bad choice is explained, not drawn.
    page.select_option("#id_attribute", "note")
    expect(page.locator("#style-errors")).to_contain_text("note")  # names the attribute
    page.select_option("#id_attribute", "people")
    page.screenshot(path=str(output_dir / "style-editor.png"), full_page=True)
    page.click("#style-form input[type=submit]")
    page.wait_for_url(f"**/admin/layers/layer/{districts.pk}/change/")
    districts.refresh_from_db()
    assert districts.style["type"] == "graduated"
    assert districts.style["symbol"]["fill_colour"] == "#00ff00"
    assert len(districts.style["classes"]) == 2
    assert page.js_errors == []
