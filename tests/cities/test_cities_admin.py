import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cities.demo import DATA_DIR
from cities.models import City

pytestmark = pytest.mark.django_db


def oblast_geojson(iso_code):
    with open(DATA_DIR / "ne10m_admin1_belarus.geojson", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    feature = next(f for f in features if f["properties"]["iso_3166_2"] == iso_code)
    body = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    return SimpleUploadedFile(f"{iso_code}.geojson", body, content_type="application/geo+json")


def test_city_admin_lists_searches_and_filters(admin_client, demo):
    # Names in the admin's language (Belarusian here).
    found = admin_client.get("/admin/cities/city/?q=Baranovichi").content.decode()
    assert "Баранавічы" in found and "Пінск" not in found
    no_boundary = admin_client.get("/admin/cities/city/?boundary__isempty=1").content.decode()
    assert "Пінск" in no_boundary and ">Мінск<" not in no_boundary
    assert admin_client.get("/admin/cities/region/").status_code == 200


def test_boundary_action_and_upload(admin_client, demo):
    pinsk = City.objects.get(slug="pinsk")
    response = admin_client.post(
        "/admin/cities/city/",
        {"action": "set_boundary_action", "_selected_action": [pinsk.pk]},
    )
    assert response.status_code == 302
    form_url = response.headers["Location"]
    assert form_url == f"/admin/cities/city/{pinsk.pk}/boundary/"

    # The Gomel oblast does not contain Pinsk: a form error, nothing saved.
    response = admin_client.post(
        form_url,
        {"file": oblast_geojson("BY-HO"), "source": "Wrong file"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "does not contain the point of Pinsk" in response.content.decode()
    pinsk.refresh_from_db()
    assert pinsk.boundary is None

    response = admin_client.post(
        form_url,
        {
            "file": oblast_geojson("BY-BR"),
            "source": "Brest oblast executive committee",
            "date": "2026-03-01",
        },
    )
    assert response.status_code == 302
    pinsk.refresh_from_db()
    assert (
        pinsk.boundary is not None and pinsk.boundary_source == "Brest oblast executive committee"
    )


def test_action_needs_exactly_one_city(admin_client, demo):
    ids = list(City.objects.values_list("pk", flat=True)[:2])
    response = admin_client.post(
        "/admin/cities/city/",
        {"action": "set_boundary_action", "_selected_action": ids},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.redirect_chain[-1][0] == "/admin/cities/city/"
    assert [str(m) for m in response.context["messages"]] == ["Select exactly one city."]
