import pytest

pytestmark = pytest.mark.django_db

LANGUAGES = {
    "": ("be", "Гарады праграмы", "Гродна", "Мяжа яшчэ не апублікавана"),
    "/ru": ("ru", "Города программы", "Гродно", "Граница ещё не опубликована"),
    "/en": ("en", "Cities of the programme", "Grodno", "Boundary not yet published"),
}


@pytest.mark.parametrize("prefix", LANGUAGES)
def test_city_list_in_each_language(client, demo, prefix):
    lang, heading, grodno, _ = LANGUAGES[prefix]
    response = client.get(f"{prefix}/cities/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert heading in html and grodno in html
    assert html.count('href="' + prefix + "/cities/") >= 17


@pytest.mark.parametrize("prefix", LANGUAGES)
def test_city_page_in_each_language(client, demo, prefix):
    lang, _, grodno, no_boundary = LANGUAGES[prefix]
    html = client.get(f"{prefix}/cities/grodno/").content.decode()
    assert f"<h1>{grodno}</h1>" in html
    assert no_boundary in html
    assert "363" in html and "718" in html


def test_minsk_page_shows_its_boundary_source_and_area(client, demo):
    html = client.get("/en/cities/minsk/").content.decode()
    assert "Natural Earth" in html and "km²" in html
    assert "Boundary not yet published" not in html


@pytest.mark.parametrize("prefix", LANGUAGES)
def test_national_map_and_about_page(client, demo, prefix):
    home = client.get(f"{prefix}/")
    assert home.status_code == 200
    assert b'id="map"' in home.content
    assert b"OpenStreetMap" in home.content  # attribution in the footer
    about = client.get(f"{prefix}/about/data/")
    assert b"Natural Earth" in about.content and b"CC BY 4.0" in about.content


def test_region_filter_and_unknown_pages(client, demo):
    html = client.get("/en/cities/?region=vitebsk-region").content.decode()
    assert "Polotsk" in html and "Pinsk" not in html
    assert client.get("/en/cities/?region=atlantis").status_code == 404
    assert client.get("/en/cities/atlantis/").status_code == 404


def test_language_switcher_keeps_the_page(client, demo):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/cities/brest/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/cities/brest/"


def test_vendored_leaflet_is_served_locally(client, demo):
    html = client.get("/").content.decode()
    assert "/static/leaflet/leaflet.js" in html
    assert "unpkg" not in html and "cdn" not in html.lower()


@pytest.mark.parametrize(
    ("typed", "lands_on"),
    [
        ("/be/", "/"),
        ("/be", "/"),
        ("/be/cities/", "/cities/"),
        ("/be/cities/pinsk/?near=26.05,52.11", "/cities/pinsk/?near=26.05,52.11"),
        ("/be/layers/", "/layers/"),
        ("/be/services/?category=railway-station", "/services/?category=railway-station"),
        ("/be?x=1", "/?x=1"),
        # Never a protocol-relative address to another site.
        ("/be//example.org/", "/example.org/"),
    ],
)
def test_belarusian_prefix_redirects_to_the_unprefixed_page(client, demo, typed, lands_on):
    response = client.get(typed)
    assert response.status_code == 301
    assert response["Location"] == lands_on


def test_belarusian_prefix_lands_on_the_belarusian_page(client, demo):
    response = client.get("/be/cities/pinsk/", follow=True)
    assert response.redirect_chain == [("/cities/pinsk/", 301)]
    html = response.content.decode()
    assert '<html lang="be">' in html and "<h1>Пінск</h1>" in html


def test_other_prefixes_are_not_taken_for_belarusian(client, demo):
    assert client.get("/ru/cities/").status_code == 200
    assert client.get("/bel/").status_code == 404
    assert client.get("/beta/").status_code == 404
