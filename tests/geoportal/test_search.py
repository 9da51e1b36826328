"""The one search (search/): places, services, layers and features, ranked, in any spelling."""

import pytest
from django.contrib.auth.models import AnonymousUser

from geoportal.search import index
from geoportal.search.query import Search

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(demo, ready_layer):
    from django.contrib.gis.geos import Point

    from cities.models import ServiceCategory, ServiceLocation
    from cities.services.demo import load_categories

    load_categories()
    stop = ServiceCategory.objects.get(slug="public-transport-stop")
    for name, lon, lat in [
        ("Октябрьская", 27.56, 53.90),
        ("Пинская", 27.50, 53.92),
        ("Пинская", 23.70, 52.10),
    ]:
        ServiceLocation.objects.create(category=stop, name_ru=name, location=Point(lon, lat),
                                       source="test")  # fmt: skip
    ready_layer(
        "settlements",
        [
            ("POINT(26.05 52.11)", {"name_be": "Пінск", "name_ru": "Пинск", "place": "town"}),
            ("POINT(25.00 52.50)", {"name_be": "Пінкі", "name_ru": "Пинки", "place": "hamlet"}),
            ("POINT(27.50 52.50)", {"name_be": "Орша", "name_ru": "Орша", "place": "hamlet"}),
            ("POINT(27.00 53.00)", {"name_be": "Мушычы", "name_ru": "Мушичи", "place": "hamlet"}),
        ],
        title_en="Settlements", title_be="Населеныя пункты", version=1,
    )  # fmt: skip
    ready_layer("secret", [("POINT(27 53)", {"name": "Мушычы"})], is_public=False, version=1)
    index.rebuild()


def names(text, **options):
    return [
        (e.kind, e.name_en or e.name_be or e.name_ru)
        for e in Search(text, AnonymousUser(), **options).entries()
    ]


@pytest.mark.parametrize("typed", ["pinsk", "Пінск", "Pinks", "ПИНСК", "pińsk"])
def test_pinsk_in_any_spelling_comes_first_as_the_city(indexed, typed):
    found = names(typed)
    assert found[0] == ("city", "Pinsk")
    # The settlement of the same name at the same place is the city again: not repeated.
    assert ("feature", "Пінск") not in found


def test_a_city_before_a_hamlet_of_the_same_name(indexed):
    found = names("Orsha")
    assert found[0] == ("city", "Orsha")
    assert ("feature", "Орша") in found


def test_features_of_public_layers_only(indexed):
    found = [e for e in Search("Мушичи", AnonymousUser()).entries() if e.kind == "feature"]
    assert [e.layer.slug for e in found] == ["settlements"]


def test_russian_only_stop_names_found_in_belarusian(indexed):
    found = names("Кастрычніцкая")
    assert ("service", "Октябрьская") in found[:3]


def test_layers_by_title(indexed):
    assert ("layer", "Settlements") in names("settlements")


def test_nearer_the_centre_first(indexed):
    def first_stop(centre):
        found = Search("Пинская", AnonymousUser(), centre=centre).entries()
        return next(e for e in found if e.kind == "service").location.x

    assert first_stop((23.7, 52.1)) == 23.70
    assert first_stop((27.5, 53.9)) == 27.50


def test_api_answers_in_the_language_asked(client, indexed):
    response = client.get("/api/v1/search/", {"q": "Пінск"}, HTTP_ACCEPT_LANGUAGE="en")
    first = response.json()["results"][0]
    assert first["name"] == "Pinsk"
    assert first["kind"] == "city"
    assert first["url"] == "/en/cities/pinsk/"
    assert first["kind_label"] == "City"
    be = client.get("/api/v1/search/", {"q": "pinsk"}, HTTP_ACCEPT_LANGUAGE="be").json()
    assert be["results"][0]["name"] == "Пінск"
    assert be["results"][0]["url"] == "/cities/pinsk/"


def test_feature_results_carry_their_properties(client, indexed):
    result = client.get("/api/v1/search/", {"q": "Мушычы"}).json()["results"][0]
    assert result["kind"] == "feature"
    assert result["layer"] == "settlements"
    assert result["properties"]["name_ru"] == "Мушичи"


@pytest.mark.parametrize(
    "params", [{"q": "a\x00b"}, {"q": "minsk", "near": "x"}, {"q": "minsk", "limit": "0"},
               {"q": "minsk", "limit": "99999999999999999999999"}, {"q": "minsk", "near": "1,99"}],
)  # fmt: skip
def test_bad_input_is_a_400_in_the_one_error_format(client, indexed, params):
    response = client.get("/api/v1/search/", params)
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code"}


def test_short_or_empty_queries_find_nothing(client, indexed):
    assert client.get("/api/v1/search/", {"q": "a"}).json() == {"results": []}
    assert client.get("/api/v1/search/", {"q": "  "}).json() == {"results": []}
    assert client.get("/api/v1/search/", {"q": "x" * 5000}).status_code == 200


def test_documented_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/search/" in schema["paths"]
    names = [p["name"] for p in schema["paths"]["/api/v1/search/"]["get"]["parameters"]]
    assert {"q", "near", "limit"} <= set(names)


def test_the_index_follows_saves_and_deletes(indexed):
    from cities.models import City

    city = City.objects.get(slug="pinsk")
    city.name_en = "Pinsk-on-Pina"
    city.save()
    assert names("pinsk")[0] == ("city", "Pinsk-on-Pina")


def test_a_layer_ready_again_has_its_features_read_by_the_worker(
    ready_layer, eager_celery, django_capture_on_commit_callbacks, settings
):
    from geoportal.search.models import Entry

    layer = ready_layer("villages", [("POINT(27 53)", {"name": "Мушычы"})], version=1)
    layer.version = 2
    with django_capture_on_commit_callbacks(execute=True):
        layer.save()
    assert list(
        Entry.objects.filter(kind="feature", layer=layer).values_list("name_be", "version")
    ) == [("Мушычы", 2)]
    # Layers over SEARCH_MAX_FEATURES are found by their titles only.
    settings.SEARCH_MAX_FEATURES = 0
    layer.version = 3
    with django_capture_on_commit_callbacks(execute=True):
        layer.save()
    assert not Entry.objects.filter(kind="feature", layer=layer).exists()
    assert Entry.objects.filter(kind="layer", layer=layer).exists()
