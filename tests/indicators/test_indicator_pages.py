import csv
import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from cities.indicators.demo import load as load_indicators
from cities.models import City, IndicatorValue
from cities.services.demo import load as load_services


@pytest.fixture
def indicator_demo(demo):
    """Cities, services (Minsk's stops among them) and the indicator demo, computed KPIs too."""
    load_services()
    load_indicators()


@pytest.mark.django_db
def test_catalogue_page_is_grouped_and_searchable(client, indicators):
    page = client.get("/en/indicators/").content.decode()
    assert "Economy" in page and "Society and Culture" in page and "Public Space and Nature" in page
    assert "EC: I: T: 2A" in page and "101 indicators" in page
    page = client.get("/en/indicators/", {"q": "green"}).content.decode()
    assert "EN: EN: PSN: 1C" in page and "EC: I: T: 2A" not in page
    page = client.get("/en/indicators/", {"dimension": "society", "tier": "advanced"}).content
    assert b"SC: SH: FS: 1A" in page and b"SC: SH: SA: 9C" not in page


@pytest.mark.django_db
def test_city_page_shows_the_dashboard_with_sample_labels_targets_and_methods(
    client, indicator_demo
):
    page = client.get("/en/cities/minsk/").content.decode()
    assert "Smart-city indicators" in page
    assert "Household Internet Access" in page
    assert "Sample data, not an official figure" in page
    assert "<progress" in page and "Target 95 by 2030" in page
    assert "Computed from the map" in page and "Method:" in page  # Minsk stops, EC: I: T: 2A
    assert "approximation" in page
    assert client.get("/cities/orsha/").status_code == 200


@pytest.mark.django_db
def test_indicator_page_ranks_the_cities_for_the_chosen_year(client, indicator_demo):
    response = client.get("/en/indicators/ec-p-em-1c/", {"year": 2022})
    page = response.content.decode()
    assert response.context["year"] == 2022
    ranked = response.context["ranked"]
    assert len(ranked) == 17
    values = [rank.value.value for rank in ranked]
    assert values == sorted(values)  # unemployment: lower is better, so ranked ascending
    assert "no published boundary" in page
    assert client.get("/en/indicators/no-such-code/").status_code == 404
    empty = client.get("/en/indicators/sc-sh-fs-1a/").content.decode()
    assert "No city has a figure for this indicator yet." in empty
    # An unknown year falls back to the latest.
    assert client.get("/en/indicators/ec-p-em-1c/", {"year": "1850"}).context["year"] == 2024


@pytest.mark.django_db
def test_api_lists_filters_and_exports(client, indicator_demo):
    data = client.get("/api/v1/indicators/", {"dimension": "environment"}).json()
    assert data["count"] == 17
    one = client.get("/api/v1/indicators/ec-i-t-2a/").json()
    assert one["code"] == "EC: I: T: 2A" and one["tier"] == "advanced"
    values = client.get(
        "/api/v1/indicator-values/", {"city": "brest", "indicator": "EC: P: EM: 1C", "year": 2023}
    ).json()
    assert values["count"] == 1 and values["results"][0]["sample"] is True
    by_slug = client.get("/api/v1/indicator-values/", {"indicator": "ec-p-em-1c"}).json()
    assert by_slug["count"] == 68
    society = client.get("/api/v1/indicator-values/", {"dimension": "society"}).json()
    assert society["count"] == 0
    computed = client.get("/api/v1/indicator-values/", {"source": "computed"}).json()
    assert computed["count"] >= 1 and all(row["method"] for row in computed["results"])
    for bad in [{"year": "soon"}, {"dimension": "space"}, {"source": "rumour"}]:
        response = client.get("/api/v1/indicator-values/", bad)
        assert response.status_code == 400 and response.json()
    targets = client.get("/api/v1/indicator-targets/", {"city": "minsk"}).json()
    assert targets["count"] == 2
    export = client.get("/api/v1/indicator-values/csv/", {"city": "minsk"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert rows and {row["city"] for row in rows} == {"minsk"}


@pytest.mark.django_db
def test_openapi_schema_describes_the_indicator_endpoints():
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator

    # Only the indicator endpoints: the schema of the others is their modules' own business.
    patterns = [path("api/v1/", include("cities.indicators.api_urls"))]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "/api/v1/indicators/" in paths and "/api/v1/indicator-targets/" in paths
    names = {p["name"] for p in paths["/api/v1/indicator-values/"]["get"]["parameters"]}
    assert {"city", "indicator", "year", "dimension"} <= names
    csv_response = paths["/api/v1/indicator-values/csv/"]["get"]["responses"]["200"]
    assert "text/csv" in csv_response["content"]


@pytest.mark.django_db
def test_admin_csv_import_shows_row_errors_and_imports_nothing(client, indicators):
    admin = User.objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(admin)
    url = "/admin/cities/indicatorvalue/import/"
    header = b"city,indicator,year,value,source\n"
    bad = header + b"minsk,EC: ICT: ICT: 1C,2023,80,x\nminsk,EC: ICT: ICT: 1C,2023,oops,x\n"
    response = client.post(url, {"file": SimpleUploadedFile("v.csv", bad)})
    page = response.content.decode()
    assert response.status_code == 200
    # The admin speaks the default language, Belarusian.
    assert 'id="import-errors"' in page and "oops" in page and "Нічога не імпартавана" in page
    assert IndicatorValue.objects.count() == 0
    good = header + b"minsk,EC: ICT: ICT: 1C,2023,80,x\n"
    response = client.post(url, {"file": SimpleUploadedFile("v.csv", good)})
    assert response.status_code == 302
    assert IndicatorValue.objects.get().value == 80


@pytest.mark.django_db
def test_admin_action_recomputes_the_cities_of_the_selected_values(client, indicator_demo):
    admin = User.objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(admin)
    IndicatorValue.objects.filter(source="computed").delete()
    minsk_value = IndicatorValue.objects.filter(city__slug="minsk").first()
    response = client.post(
        "/admin/cities/indicatorvalue/",
        {"action": "recompute_cities", "_selected_action": [minsk_value.pk]},
        follow=True,
    )
    assert response.status_code == 200
    computed = IndicatorValue.objects.filter(source="computed")
    assert set(computed.values_list("city__slug", flat=True)) == {"minsk"}
    assert computed.filter(indicator__code="EC: I: T: 2A").exists()


@pytest.mark.django_db
def test_planners_see_only_their_cities_values_in_the_admin(client, indicator_demo):
    planner = User.objects.create_user("planner", password="pw", is_staff=True)
    brest = City.objects.get(slug="brest")
    planner.groups.add(brest.planners)  # the demo loader gave planner groups the permissions
    client.force_login(planner)
    response = client.get("/admin/cities/indicatorvalue/")
    assert response.status_code == 200
    assert {v.city.slug for v in response.context["cl"].queryset} == {"brest"}
    minsk_value = IndicatorValue.objects.filter(city__slug="minsk").first()
    response = client.get(f"/admin/cities/indicatorvalue/{minsk_value.pk}/change/")
    assert response.status_code == 403  # not among the planner's rows: whose it is, explained
    assert "Мінск" in response.text
    brest_value = IndicatorValue.objects.filter(city=brest).first()
    assert client.get(f"/admin/cities/indicatorvalue/{brest_value.pk}/change/").status_code == 200
