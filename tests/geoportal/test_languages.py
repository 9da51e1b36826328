"""The language switch (geoportal/languages.py): every page to every language, state kept."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("next_url", "language", "expected"),
    [
        ("/en/cities/pinsk/#map=12/52.1/26.1", "be", "/cities/pinsk/#map=12/52.1/26.1"),
        ("/en/cities/pinsk/", "ru", "/ru/cities/pinsk/"),
        ("/ru/services/?near=27.5,53.9&q=a", "en", "/en/services/?near=27.5,53.9&q=a"),
        ("/services/?q=x#y", "ru", "/ru/services/?q=x#y"),
        ("/", "en", "/en/"),
        ("/en/", "be", "/"),
        ("/be/layers/", "ru", "/ru/layers/"),
        ("/api/v1/docs/", "en", "/api/v1/docs/"),
        ("/ogc/collections?f=html", "ru", "/ogc/collections?f=html"),
        ("/admin/cities/city/", "be", "/admin/cities/city/"),
        ("https://evil.example/en/", "ru", "/ru/"),
        ("//evil.example/x", "en", "/en/"),
        ("", "en", "/en/"),
    ],
)  # fmt: skip
def test_switch_keeps_path_query_and_fragment(client, next_url, language, expected):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == expected
    assert response.cookies["django_language"].value == language
    assert response.cookies["django_language"]["max-age"] > 3600


def test_unknown_language_changes_nothing(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/en/cities/"})
    assert response["Location"] == "/en/cities/"
    assert "django_language" not in response.cookies


def test_only_post(client):
    assert client.get("/i18n/setlang/?language=en").status_code == 405


def test_admin_api_docs_and_ogc_follow_the_chosen_language(client, admin_user):
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    docs = client.get("/api/v1/docs/")
    assert '<html lang="ru"' in docs.content.decode()
    ogc = client.get("/ogc/?f=html")
    assert '<html lang="ru"' in ogc.content.decode()
    client.force_login(admin_user)
    admin = client.get("/admin/")
    assert '<html lang="ru"' in admin.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert "Smart Cities of Belarus" in client.get("/admin/").content.decode()


def test_reading_a_page_makes_its_language_the_chosen_one(client):
    client.get("/en/cities/")
    assert client.cookies["django_language"].value == "en"
    assert '<html lang="en"' in client.get("/api/v1/docs/").content.decode()
    client.get("/cities/")
    assert client.cookies["django_language"].value == "be"


def test_the_admin_has_the_language_switch(client, admin_user):
    login = client.get("/admin/login/").content.decode()
    assert (
        'action="/i18n/setlang/"' in login
        and 'name="next" type="hidden" value="/admin/login/"' in login
    )
    client.force_login(admin_user)
    index = client.get("/admin/cities/city/").content.decode()
    assert 'value="ru" lang="ru"' in index
    switched = client.post("/i18n/setlang/", {"language": "ru", "next": "/admin/cities/city/"})
    assert switched["Location"] == "/admin/cities/city/"
    assert '<html lang="ru"' in client.get("/admin/cities/city/").content.decode()
