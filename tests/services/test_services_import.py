"""Importing services (CSV, GeoJSON; all or nothing; planners limited to their cities) and the
demo loader that feeds the real railway and Minsk stop files through the same code."""

import json

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from cities.models import City, ServiceLocation
from cities.services.demo import (
    MINSK_STOPS_SOURCE,
    RAILWAY_SOURCE,
    grant_planners,
    load_categories,
)
from cities.services.imports import Record, import_services, read_service_file
from geoportal.gis.files import FileRefused

HEADER = "id,name_be,name_ru,name_en,category,address,opening_hours,wheelchair,lon,lat\n"
GOOD = HEADER + (
    'p1,Аптэка №1,Аптека №1,Pharmacy 1,pharmacy,"вул. Леніна, 1",Mo-Fr 08:00-20:00,yes,'
    "27.5615,53.9045\n"
    "p2,Паліклініка,,,clinic,,24/7,,27.60,53.92\n"
)


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (the portal's default language is Belarusian)."""
    with translation.override("en"):
        yield


@pytest.fixture
def categories(demo):
    load_categories()


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def import_file(path, source="Test source", user=None):
    return import_services(read_service_file(path), source=source, user=user)


@pytest.mark.django_db
def test_csv_import_creates_services_with_their_city(categories, tmp_path):
    report = import_file(write(tmp_path, "services.csv", GOOD))
    assert (report.created, report.updated, report.deleted) == (2, 0, 0)
    pharmacy = ServiceLocation.objects.get(external_id="p1")
    assert (pharmacy.name_be, pharmacy.name_ru, pharmacy.name_en) == (
        "Аптэка №1",
        "Аптека №1",
        "Pharmacy 1",
    )
    assert pharmacy.address == "вул. Леніна, 1"
    assert pharmacy.city.slug == "minsk"
    assert pharmacy.location.coords == pytest.approx((27.5615, 53.9045))
    clinic = ServiceLocation.objects.get(external_id="p2")
    assert clinic.name_ru == clinic.name_en == "Паліклініка"  # falls back to the name given
    assert clinic.wheelchair == "unknown"


@pytest.mark.django_db
def test_reimport_updates_in_place_and_removes_what_is_gone(categories, tmp_path):
    import_file(write(tmp_path, "services.csv", GOOD))
    first = ServiceLocation.objects.get(external_id="p1").pk
    changed = HEADER + "p1,Аптэка №1,,,pharmacy,вул. Новая 2,,no,27.57,53.91\n"
    report = import_file(write(tmp_path, "services.csv", changed))
    assert (report.created, report.updated, report.deleted) == (0, 1, 1)
    service = ServiceLocation.objects.get(source="Test source")
    assert (service.pk, service.address, service.wheelchair) == (first, "вул. Новая 2", "no")


@pytest.mark.django_db
def test_a_bad_file_changes_nothing_and_names_every_bad_row(categories, tmp_path):
    import_file(write(tmp_path, "services.csv", GOOD))
    before = list(ServiceLocation.objects.order_by("pk").values_list("pk", "name_be", "location"))
    bad = HEADER + (
        "p1,Аптэка,,,pharmacy,,,,27.5,53.9\n"
        "p3,Нешта,,,spaceport,,,,27.5,53.9\n"
        "p4,,,,pharmacy,,,,27.5,53.9\n"
        "p5,Гадзіны,,,pharmacy,,from nine to five,maybe,27.5,53.9\n"
        "p1,Двойчы,,,pharmacy,,,,27.5,53.9\n"
    )
    with pytest.raises(FileRefused) as error:
        import_file(write(tmp_path, "services.csv", bad))
    text = "\n".join(error.value.messages)
    assert "3" in text and "spaceport" in text
    assert "4" in text
    assert "opening_hours" in text and "wheelchair" in text
    assert "p1" in text  # the repeated id
    after = list(ServiceLocation.objects.order_by("pk").values_list("pk", "name_be", "location"))
    assert after == before


@pytest.mark.django_db
def test_rows_at_zero_zero_or_outside_belarus_are_skipped_and_named(categories, tmp_path):
    rows = HEADER + (
        "z1,Нуль,,,pharmacy,,,,0,0\n"
        "w1,Варшава,,,pharmacy,,,,21.01,52.23\n"
        "b1,Брэст,,,pharmacy,,,,23.70,52.09\n"
    )
    report = import_file(write(tmp_path, "services.csv", rows))
    assert (report.created, len(report.skipped)) == (1, 2)
    assert report.skipped[0].startswith("row 2 (z1, Нуль)") and "(0, 0)" in report.skipped[0]
    assert report.skipped[1].startswith("row 3 (w1, Варшава)")
    assert "outside Belarus" in report.skipped[1]
    assert "2 skipped" in str(report) and "Варшава" in str(report)
    assert list(ServiceLocation.objects.values_list("external_id", flat=True)) == ["b1"]


@pytest.mark.django_db
def test_the_services_collection_extent_is_inside_belarus(demo, client):
    from cities.services.demo import load

    load()
    response = client.get("/ogc/collections/services")
    west, south, east, north = json.loads(response.content)["extent"]["spatial"]["bbox"][0]
    assert west >= 23.1 and south >= 51.2 and east <= 32.8 and north <= 56.2


@pytest.mark.django_db
def test_csv_without_coordinates_and_unknown_formats_are_refused(categories, tmp_path):
    with pytest.raises(FileRefused):
        import_file(write(tmp_path, "services.csv", "name_be,category\nАптэка,pharmacy\n"))
    with pytest.raises(FileRefused) as error:
        import_file(write(tmp_path, "services.txt", GOOD))
    assert ".csv" in str(error.value)
    assert not ServiceLocation.objects.exists()


@pytest.mark.django_db
def test_geojson_import(categories, tmp_path):
    data = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [27.5615, 53.9045]},
                "properties": {"id": 7, "name_be": "Пошта", "category": "post-office"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[27, 53], [28, 54]]},
                "properties": {"id": 8, "name_be": "Лінія", "category": "post-office"},
            },
        ],
    }
    path = write(tmp_path, "services.geojson", json.dumps(data, ensure_ascii=False))
    with pytest.raises(FileRefused) as error:
        import_file(path)
    assert any("2" in e and "point" in e for e in error.value.messages)
    data["features"].pop()
    write(tmp_path, "services.geojson", json.dumps(data, ensure_ascii=False))
    import_file(path)
    post = ServiceLocation.objects.get()
    assert (post.external_id, post.category.slug, post.city.slug) == ("7", "post-office", "minsk")


@pytest.mark.django_db
def test_planners_import_only_into_their_cities(categories, tmp_path):
    grant_planners()
    planner = User.objects.create_user("brest-planner", is_staff=True)
    planner.groups.add(City.objects.get(slug="brest").planners)
    with pytest.raises(FileRefused) as error:
        import_file(write(tmp_path, "services.csv", GOOD), user=planner)
    assert "outside the cities you manage" in str(error.value)
    assert not ServiceLocation.objects.exists()


@pytest.mark.django_db
def test_import_command(categories, tmp_path):
    call_command("import_services", str(write(tmp_path, "s.csv", GOOD)), source="Command")
    assert ServiceLocation.objects.filter(source="Command").count() == 2
    with pytest.raises(CommandError, match="spaceport"):
        call_command(
            "import_services",
            str(write(tmp_path, "s.csv", HEADER + "x,X,,,spaceport,,,,27.5,53.9\n")),
            source="Command",
        )
    assert ServiceLocation.objects.filter(source="Command").count() == 2


@pytest.mark.django_db
def test_admin_import_and_planner_limits(categories, client, tmp_path):
    grant_planners()
    planner = User.objects.create_user("minsk-planner", password="pw-12345-long", is_staff=True)
    planner.groups.add(City.objects.get(slug="minsk").planners)
    client.force_login(planner)
    url = reverse("admin:cities_servicelocation_import")
    bad = SimpleUploadedFile("s.csv", (HEADER + "x,X,,,spaceport,,,,27.5,53.9\n").encode())
    response = client.post(url, {"file": bad, "source": "Admin upload"})
    assert response.status_code == 200
    assert "spaceport" in response.content.decode()
    good = SimpleUploadedFile("s.csv", GOOD.encode())
    response = client.post(url, {"file": good, "source": "Admin upload"})
    assert response.status_code == 302
    assert ServiceLocation.objects.filter(source="Admin upload").count() == 2
    # A Brest service is not the Minsk planner's to see or change.
    brest_file = write(tmp_path, "b.csv", HEADER + "b1,Пункт Б,,,pharmacy,,,,23.69,52.1\n")
    import_services(read_service_file(brest_file), source="Brest list")
    brest = ServiceLocation.objects.get(source="Brest list")
    changelist = client.get(reverse("admin:cities_servicelocation_changelist"))
    assert changelist.status_code == 200
    assert "Пункт Б" not in changelist.content.decode()
    assert "Аптэка №1" in changelist.content.decode()
    change = client.get(reverse("admin:cities_servicelocation_change", args=[brest.pk]))
    assert change.status_code in (302, 403, 404)


@pytest.mark.django_db
def test_demo_loader_reads_both_files_with_their_quirks(demo):
    from cities.services.demo import load

    railway, stops = load()
    # Four stations have no position in Belarus: named, with the reason, and skipped.
    assert ServiceLocation.objects.filter(source=RAILWAY_SOURCE).count() == 953 - 4
    assert len(railway.skipped) == 4
    for station in ("137913", "158426"):  # Ёткишки, Кледневичи: 0, 0 in the source
        assert any(station in row and "(0, 0)" in row for row in railway.skipped)
    assert any("Селяхі" in row and "outside Belarus" in row for row in railway.skipped)
    assert ServiceLocation.objects.filter(source=MINSK_STOPS_SOURCE).count() == 2428 - 12
    assert len(stops.skipped) == 12  # the 0;0 rows
    assert all("(0, 0)" in row for row in stops.skipped)
    # An empty Name repeats the row before: stop 16101 follows "13-й км" (16100).
    assert ServiceLocation.objects.get(source=MINSK_STOPS_SOURCE, external_id="16101").name_ru == (
        "13-й км"
    )
    # Coordinates x 100,000: 2750898;5398767 is 27.50898, 53.98767.
    stop = ServiceLocation.objects.get(source=MINSK_STOPS_SOURCE, external_id="16100")
    assert stop.location.coords == pytest.approx((27.50898, 53.98767))
    assert stop.city.slug == "minsk"
    station = ServiceLocation.objects.get(source=RAILWAY_SOURCE, external_id="137129")
    assert (station.name_be, station.name_ru) == ("Бараўцы", "Боровцы")
    # Every programme city has railway stations or stops.
    for city in City.objects.all():
        assert city.services.filter(category__slug="railway-station").exists(), city.slug
    # Only the two transport categories have data: nothing is invented.
    assert set(ServiceLocation.objects.values_list("category__slug", flat=True).distinct()) == {
        "railway-station",
        "public-transport-stop",
    }
    again = load()
    assert (again[0].created, again[0].updated, again[0].deleted) == (0, 0, 0)
    assert (again[1].created, again[1].updated, again[1].deleted) == (0, 0, 0)


@pytest.mark.django_db
def test_planner_edits_on_the_map_but_cannot_move_a_service_out_of_their_city(categories, client):
    grant_planners()
    planner = User.objects.create_user("minsk-editor", is_staff=True)
    planner.groups.add(City.objects.get(slug="minsk").planners)
    values = {"id": "m1", "name_be": "Аптэка", "category": "pharmacy"}
    record = Record(2, values, Point(27.56, 53.9))
    import_services([record], source="S")
    service = ServiceLocation.objects.get(external_id="m1")
    client.force_login(planner)
    url = reverse("admin:cities_servicelocation_change", args=[service.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "leaflet" in page.content.decode().lower()
    form = {
        "name_be": "Аптэка", "name_ru": "Аптека", "name_en": "Pharmacy",
        "category": service.category_id, "wheelchair": "unknown", "source": "S",
        "external_id": "m1", "opening_hours": "Mo-Fr 08:00-20:00",
    }  # fmt: skip
    moved = client.post(
        url,
        {**form, "location": '{"type":"Point","coordinates":[23.69,52.1]}'},
        headers={"Accept-Language": "en"},
    )
    assert moved.status_code == 200
    assert "outside the cities you manage" in moved.content.decode()
    service.refresh_from_db()
    assert service.city.slug == "minsk"
    kept = client.post(url, {**form, "location": '{"type":"Point","coordinates":[27.57,53.91]}'})
    assert kept.status_code == 302
    service.refresh_from_db()
    assert service.location.coords == pytest.approx((27.57, 53.91))
    assert service.opening_hours == "Mo-Fr 08:00-20:00"
