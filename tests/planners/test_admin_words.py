"""No English, no raw technical label and no classical spelling in the Belarusian admin: a Brest
planner opens every admin page they can, in Chromium, and the words they can see (text,
buttons, choices, tooltips of the map tools) are checked. Data (names, file names, codes) may be
in any language; the portal's own words may not."""

import re

import pytest
from conftest import TEST_DATA
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse
from workplace import log_in

from cities.models import City, Indicator, IndicatorValue, ServiceCategory, ServiceLocation
from layers.imports.queue import import_now
from layers.models import Layer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Names of file formats and products, as planners meet them in their programs; extensions.
PROPER_NAMES = {"GeoJSON", "Shapefile", "GeoPackage", "KML", "KMZ", "CSV", "FlatGeobuf", "GPX",
                "GPS", "Leaflet", "English", "shp", "shx", "dbf", "prj", "zip", "OK"}  # fmt: skip
# Raw technical labels the issue found, which must show only inside tooltips.
TECHNICAL = re.compile(r"EPSG|WKT|CP1251|GDAL|MultiPolygon|SRID|YlOrRd|computed")
# The classical spelling (Taraškievica) where the official one is wanted: a soft sign before
# a softened consonant (зьмяніць, сьнежня, зьвесткі), "ня" for "не", the letter ґ.
# (An imperative keeps its soft sign in both: пакіньце.)
CLASSICAL = re.compile(
    r"[зсцдн]ь(?!це(ся)?(?![а-яёіў]))[бвгджзклмнпрстфхцчшў][еёіюяь]|(?<![а-яёіў])ня(?![а-яёіў])|ґ",
    re.IGNORECASE,
)
# A tooltip in English words (rather than a technical name such as "WGS 84 / UTM zone 35N").
ENGLISH_SENTENCE = re.compile(
    r"\b(a|an|the|to|of|on|or|and|is|for|by|in|with|this|click|draw|delete|edit|cancel|save|"
    r"reset|view|select|remove|show|hide|close|open|add|change|toggle|current)\b",
    re.IGNORECASE,
)
# What the page shows in words; column names a file must have (<code>) are data, not words.
WORDS = ("() => {"
         "  let body = document.body.innerText;"
         "  for (const code of document.querySelectorAll('code'))"
         "    body = body.replace(code.innerText, ' ');"
         "  const texts = [document.title, body];"
         "  for (const el of document.querySelectorAll('input[type=submit], input[type=button]'))"
         "    texts.push(el.value);"
         "  for (const o of document.querySelectorAll('select option')) texts.push(o.textContent);"
         "  return texts.join('\\n');"
         "}")  # fmt: skip
TOOLTIPS = ("() => [...document.querySelectorAll('[title], [aria-label]')]"
            ".flatMap((el) => [el.getAttribute('title'), el.getAttribute('aria-label')])"
            ".filter(Boolean)")  # fmt: skip
SKIPPED_FIELDS = {"source_crs", "geometry_type", "style", "import_report", "source", "options"}


def data_words():
    """Every word stored in the rows a planner may see: names, file names, codes, sources..."""
    words = set(get_user_model().objects.values_list("username", flat=True))
    for model in [*apps.get_app_config("cities").get_models(),
                  *apps.get_app_config("layers").get_models()]:  # fmt: skip
        fields = [f.name for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField)
                  and f.name not in SKIPPED_FIELDS]  # fmt: skip
        if not fields:
            continue
        for values in model.objects.values_list(*fields):
            for value in values:
                words.update(re.findall(r"[A-Za-z][A-Za-z0-9]*", value or ""))
        if model is Layer:
            for attributes in model.objects.values_list("attributes", flat=True):
                for attribute in attributes:
                    words.update(re.findall(r"[A-Za-z][A-Za-z0-9]*", attribute["name"]))
    return words


@pytest.fixture
def workplace(brest_planner, pinsk_layer):
    brest = City.objects.get(slug="brest")
    layer = Layer.objects.create(
        slug="brest-oblasts", title_be="Вобласці", city=brest, owner=brest_planner
    )
    import_now(layer, TEST_DATA / "oblasts.fgb", user=brest_planner)
    service = ServiceLocation.objects.create(
        name_be="Паліклініка № 1", category=ServiceCategory.objects.get(slug="clinic"),
        location=brest.location, opening_hours="Mo-Fr 08:00-20:00; PH off",
    )  # fmt: skip
    value = IndicatorValue.objects.create(
        city=brest, indicator=Indicator.objects.get(code="EC: ICT: ICT: 1C"), year=2025,
        value=37.5, source="Брэсцкі гарвыканкам",
    )  # fmt: skip
    return brest, layer, service, value


def planner_pages(brest, layer, service, value, pinsk_layer):
    version = layer.versions.get()
    return [
        reverse("admin:index"),
        reverse("admin:layers_layer_changelist"),
        reverse("admin:layers_layer_add"),
        reverse("admin:layers_layer_change", args=[layer.pk]),
        reverse("admin:layers_layer_style", args=[layer.pk]),
        reverse("admin:layers_layer_publish", args=[layer.pk]),
        reverse("admin:layers_layer_version_map", args=[layer.pk, version.pk]),
        reverse("admin:layers_layer_history", args=[layer.pk]),
        reverse("admin:layers_layer_delete", args=[layer.pk]),
        reverse("admin:layers_layer_change", args=[pinsk_layer.pk]),
        reverse("admin:cities_servicelocation_changelist"),
        reverse("admin:cities_servicelocation_add"),
        reverse("admin:cities_servicelocation_change", args=[service.pk]),
        reverse("admin:cities_servicelocation_import"),
        reverse("admin:cities_indicatorvalue_changelist"),
        reverse("admin:cities_indicatorvalue_add"),
        reverse("admin:cities_indicatorvalue_change", args=[value.pk]),
        reverse("admin:cities_indicatorvalue_import"),
        reverse("admin:cities_target_add"),
        reverse("admin:cities_city_changelist"),
        reverse("admin:cities_city_change", args=[brest.pk]),
        reverse("admin:cities_city_boundary", args=[brest.pk]),
        reverse("admin:password_change"),
    ]


def test_the_belarusian_admin_has_no_english_technical_or_classical_words(
    page,
    live_server,
    brest_planner,
    workplace,
    pinsk_layer,
):
    log_in(page, live_server, brest_planner, "be")
    allowed = PROPER_NAMES | data_words()
    problems = {}
    for url in planner_pages(*workplace, pinsk_layer):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("load")
        text = re.sub(r"https?://\S+", " ", page.evaluate(WORDS))  # addresses are data
        english = sorted(set(re.findall(r"[A-Za-z][A-Za-z0-9]*", text)) - allowed)
        tooltips = [t for t in page.evaluate(TOOLTIPS) if ENGLISH_SENTENCE.search(t)]
        found = {
            "english": english,
            "technical": sorted(set(TECHNICAL.findall(text))),
            "classical": sorted(
                {m.string[max(m.start() - 15, 0) : m.end() + 15] for m in CLASSICAL.finditer(text)}
            ),  # fmt: skip
            "tooltips": tooltips,
        }
        found = {kind: words for kind, words in found.items() if words}
        if found:
            problems[url] = found
    assert problems == {}
    assert page.js_errors == []
