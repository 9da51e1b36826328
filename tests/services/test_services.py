"""City services: city assignment in the database, nearest search, filters, opening hours, the
API's answers to bad parameters. Test points are made up for the test (never shown to users)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection
from rest_framework.test import APIClient

from cities.models import City, ServiceCategory, ServiceLocation
from cities.services.demo import load_categories
from cities.services.query import ServiceQuery, open_state

MINSK = ZoneInfo("Europe/Minsk")
MINSK_CENTRE = (27.5615, 53.9045)
NOWHERE = (28.9, 52.9)  # Rural Gomel oblast: no programme city within 10 km


@pytest.fixture
def categories(demo):
    load_categories()


def add(name, lon, lat, category="pharmacy", **extra):
    return ServiceLocation.objects.create(
        name_be=name,
        name_ru=name,
        name_en=name,
        category=ServiceCategory.objects.get(slug=category),
        location=Point(lon, lat, srid=4326),
        source="test",
        **extra,
    )


def point_near(city_slug, metres_east):
    city = City.objects.get(slug=city_slug)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Project(%s::geography, %s, pi()/2)::geometry"
            " AS p) AS t",
            [city.location.ewkt, metres_east],
        )
        return cursor.fetchone()


# -- city assignment ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_point_inside_the_minsk_boundary_belongs_to_minsk(categories):
    service = add("Inside", *MINSK_CENTRE)
    assert service.city.slug == "minsk"
    assert service.city_basis == ServiceLocation.CityBasis.BOUNDARY


@pytest.mark.django_db
def test_a_point_near_a_city_without_boundary_is_assigned_by_distance(categories):
    service = add("Near Gomel", *point_near("gomel", 6000))
    assert service.city.slug == "gomel"
    assert service.city_basis == ServiceLocation.CityBasis.NEAREST_POINT
    far = add("Beyond Gomel", *point_near("gomel", 12000))
    assert far.city is None
    assert far.city_basis == ""


@pytest.mark.django_db
def test_a_point_outside_every_city_has_no_city(categories):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(ST_Distance(location::geography, ST_MakePoint(%s, %s)::geography)) "
            "FROM cities_city",
            NOWHERE,
        )
        assert cursor.fetchone()[0] > 10_000
    assert add("Nowhere", *NOWHERE).city is None


@pytest.mark.django_db
def test_a_moved_point_changes_city_whatever_the_write_path(categories):
    service = add("Moving", *MINSK_CENTRE)
    service.location = Point(*point_near("brest", 2000), srid=4326)
    service.save()
    assert (service.city.slug, service.city_basis) == ("brest", "nearest_point")
    # A bulk update in SQL goes through the same trigger.
    ServiceLocation.objects.filter(pk=service.pk).update(location=Point(*NOWHERE, srid=4326))
    service.refresh_from_db()
    assert service.city is None
    ServiceLocation.objects.filter(pk=service.pk).update(location=Point(*MINSK_CENTRE, srid=4326))
    service.refresh_from_db()
    assert service.city.slug == "minsk"


@pytest.mark.django_db
def test_publishing_a_boundary_reassigns_the_services_around_the_city(categories):
    inside = add("Inside the new boundary", *point_near("gomel", 3000))
    outside = add("Outside the new boundary", *point_near("gomel", 8000))
    assert inside.city.slug == outside.city.slug == "gomel"
    gomel = City.objects.get(slug="gomel")
    # A test polygon, 5 km east of the point at most: not Gomel's real limits.
    east = point_near("gomel", 5000)
    x, y = gomel.location.coords
    gomel.boundary = MultiPolygon(
        Polygon.from_bbox((x - 0.05, y - 0.05, east[0], east[1] + 0.05)), srid=4326
    )
    gomel.save()
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert (inside.city_id, inside.city_basis) == (gomel.pk, "boundary")
    assert outside.city is None
    gomel.boundary = None
    gomel.save()
    outside.refresh_from_db()
    assert (outside.city_id, outside.city_basis) == (gomel.pk, "nearest_point")


# -- nearest search ----------------------------------------------------------------------------


@pytest.fixture
def demo_services(demo):
    from cities.services.demo import load

    load()


def postgis_nearest(lon, lat, limit, where="TRUE"):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, ST_Distance(location::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4326)"
            f"::geography) AS d FROM cities_servicelocation WHERE {where} ORDER BY d, id LIMIT %s",
            [lon, lat, limit],
        )
        return cursor.fetchall()


@pytest.mark.django_db
def test_nearest_matches_postgis_distance_on_geography(demo_services):
    for lon, lat in [MINSK_CENTRE, (23.69, 52.09), (30.2, 55.19), (28.0, 53.0)]:
        found = list(ServiceQuery(near=(lon, lat), limit=25).queryset())
        expected = postgis_nearest(lon, lat, 25)
        assert [s.pk for s in found] == [pk for pk, _d in expected]
        for service, (_pk, distance) in zip(found, expected, strict=True):
            assert service.distance_m == pytest.approx(distance, abs=0.01)
        distances = [s.distance_m for s in found]
        assert distances == sorted(distances)


@pytest.mark.django_db
def test_nearest_walks_the_geography_index(demo_services):
    query = ServiceQuery(near=MINSK_CENTRE, limit=10).queryset()
    with connection.cursor() as cursor:
        sql, params = query.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "service_location_geography" in plan
    assert "Order By" in plan


@pytest.mark.django_db
def test_nearest_within_a_radius_and_category(demo_services):
    found = list(
        ServiceQuery(
            near=MINSK_CENTRE, radius=800, limit=500, categories=["public-transport-stop"]
        ).queryset()
    )
    stop = ServiceCategory.objects.get(slug="public-transport-stop").pk
    expected = postgis_nearest(*MINSK_CENTRE, 500, where=f"category_id = {stop}")
    expected = [pk for pk, distance in expected if distance <= 800]
    assert [s.pk for s in found] == expected
    assert 5 < len(found) < 100
    assert all(s.distance_m <= 800 for s in found)


@pytest.mark.django_db
def test_nearest_through_the_api_carries_distance(demo_services):
    response = APIClient().get(
        "/api/v1/services/", {"near": "23.69,52.09", "limit": 5, "category": "railway-station"}
    )
    assert response.status_code == 200
    features = response.json()["features"]
    assert len(features) == 5
    distances = [f["properties"]["distance_m"] for f in features]
    assert distances == sorted(distances)
    expected = postgis_nearest(
        23.69,
        52.09,
        5,
        where=f"category_id = {ServiceCategory.objects.get(slug='railway-station').pk}",
    )
    assert [f["id"] for f in features] == [pk for pk, _d in expected]
    assert distances[0] == pytest.approx(expected[0][1], abs=0.1)


# -- filters -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_filters_category_with_children_city_bbox_and_wheelchair(categories):
    pharmacy = add("Аптэка", *MINSK_CENTRE, wheelchair="yes")
    clinic = add("Паліклініка", 27.60, 53.92, category="clinic", wheelchair="no")
    stop = add("Прыпынак", *point_near("brest", 1000), category="public-transport-stop")

    def ids(**kwargs):
        return {s.pk for s in ServiceQuery(**kwargs).queryset()}

    assert ids(categories=["health"]) == {pharmacy.pk, clinic.pk}
    assert ids(categories=["transport"]) == {stop.pk}
    assert ids(categories=["pharmacy", "public-transport-stop"]) == {pharmacy.pk, stop.pk}
    assert ids(city=City.objects.get(slug="brest")) == {stop.pk}
    assert ids(bbox=Polygon.from_bbox((27.5, 53.85, 27.58, 53.95))) == {pharmacy.pk}
    assert ids(wheelchair=["yes", "limited"]) == {pharmacy.pk}


@pytest.mark.django_db
def test_text_search_ignores_case_and_accents_in_every_language_and_address(categories):
    cafe = add("Кавярня", *MINSK_CENTRE)
    cafe.name_en, cafe.name_ru = "Café Ёлка", "Кофейня Ёлка"
    cafe.address = "вул. Зыбіцкая, 9"
    cafe.save()
    add("Іншае", 27.6, 53.9)

    def names(q):
        return [s.name_be for s in ServiceQuery(q=q).queryset()]

    assert names("cafe") == ["Кавярня"]
    assert names("ЕЛКА") == ["Кавярня"]
    assert names("зыбіцкая") == ["Кавярня"]
    assert names("нічога") == []


@pytest.mark.django_db
def test_open_now_filter_uses_minsk_time(categories):
    day = add("Day", *MINSK_CENTRE, opening_hours="Mo-Fr 09:00-18:00")
    night = add("Night", 27.6, 53.9, opening_hours="Mo-Su 22:00-06:00")
    add("No hours", 27.61, 53.91)
    # 07:30 UTC is 10:30 in Minsk on a Wednesday.
    at = datetime(2026, 11, 25, 7, 30, tzinfo=ZoneInfo("UTC"))
    open_ids = {s.pk for s in ServiceQuery(open_now=True, at=at).queryset()}
    assert open_ids == {day.pk}
    closed = {s.name_be for s in ServiceQuery(open_now=False, at=at).queryset()}
    assert closed == {"Night", "No hours"}
    midnight = datetime(2026, 11, 25, 23, 30, tzinfo=MINSK)
    assert {s.pk for s in ServiceQuery(open_now=True, at=midnight).queryset()} == {night.pk}


# -- opening hours -----------------------------------------------------------------------------


def minsk(*args):
    return datetime(*args, tzinfo=MINSK)


def test_opening_hours_overnight_span_past_midnight():
    hours = "Fr-Sa 22:00-03:00"
    assert open_state(hours, minsk(2026, 11, 28, 2, 0)) is True  # Saturday 02:00, from Friday
    assert open_state(hours, minsk(2026, 11, 27, 2, 0)) is False  # Friday 02:00: Thursday shut
    assert open_state(hours, minsk(2026, 11, 27, 23, 0)) is True
    assert open_state(hours, minsk(2026, 11, 29, 4, 0)) is False


def test_opening_hours_public_holidays_of_belarus():
    hours = "Mo-Fr 08:00-20:00; PH off"
    assert open_state(hours, minsk(2026, 1, 7, 12, 0)) is False  # Orthodox Christmas, Wednesday
    assert open_state(hours, minsk(2026, 1, 8, 12, 0)) is True
    assert open_state(hours, minsk(2026, 7, 3, 12, 0)) is False  # Independence Day, Friday
    assert open_state("Mo-Fr 08:00-20:00; PH 10:00-14:00", minsk(2026, 7, 3, 12, 0)) is True


def test_opening_hours_closed_days_and_unknown():
    hours = "Mo-Sa 09:00-18:00; Su off"
    assert open_state(hours, minsk(2026, 11, 29, 12, 0)) is False  # Sunday
    assert open_state(hours, minsk(2026, 11, 28, 12, 0)) is True  # Saturday
    assert open_state(hours, minsk(2026, 11, 28, 18, 30)) is False
    assert open_state("Mo-Fr 09:00-18:00; We off", minsk(2026, 11, 25, 12, 0)) is False
    assert open_state("24/7", minsk(2026, 11, 25, 3, 0)) is True
    assert open_state("Mo-Su unknown", minsk(2026, 11, 25, 3, 0)) is None
    assert open_state("", minsk(2026, 11, 25, 3, 0)) is None


def test_opening_hours_read_in_minsk_time_whatever_the_clock():
    utc = ZoneInfo("UTC")
    # 06:30 UTC is 09:30 in Minsk (UTC+3 all year).
    assert open_state("Mo-Fr 09:00-18:00", datetime(2026, 11, 25, 6, 30, tzinfo=utc)) is True
    assert open_state("Mo-Fr 09:00-18:00", datetime(2026, 11, 25, 5, 30, tzinfo=utc)) is False


@pytest.mark.django_db
def test_invalid_opening_hours_are_refused_by_the_model(categories):
    from django.core.exceptions import ValidationError

    service = ServiceLocation(
        name_be="X",
        name_ru="X",
        name_en="X",
        category=ServiceCategory.objects.get(slug="pharmacy"),
        location=Point(*MINSK_CENTRE, srid=4326),
        source="test",
        opening_hours="from nine to five",
    )
    with pytest.raises(ValidationError) as error:
        service.full_clean()
    assert "opening_hours" in error.value.message_dict


# -- the API -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, field",
    [
        ({"near": "27.5"}, "near"),
        ({"near": "200,53"}, "near"),
        ({"near": "abc,def"}, "near"),
        ({"near": "27.5,53.9", "radius": "-5"}, "radius"),
        ({"near": "27.5,53.9", "radius": "far"}, "radius"),
        ({"near": "27.5,53.9", "limit": "0"}, "limit"),
        ({"near": "27.5,53.9", "limit": "100000"}, "limit"),
        ({"radius": "500"}, "near"),
        ({"category": "spaceport"}, "category"),
        ({"city": "atlantis"}, "city"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"open_now": "maybe"}, "open_now"),
        ({"wheelchair": "sometimes"}, "wheelchair"),
        # The message quotes the value: a "%" in it is text, not a format (it was a 500).
        ({"wheelchair": "%"}, "wheelchair"),
        ({"wheelchair": "%s%(x)s"}, "wheelchair"),
    ],
)
def test_bad_parameters_answer_400_with_a_message(categories, params, field):
    response = APIClient().get("/api/v1/services/", params)
    assert response.status_code == 400, response.content
    body = response.json()["detail"]  # the API's one error format: {"detail", "code"}
    assert field in body
    assert body[field]


@pytest.mark.django_db
def test_services_api_lists_geojson_with_filters(categories):
    add("Аптэка", *MINSK_CENTRE, opening_hours="24/7", phone="+375 17 000-00-00")
    add("Школа", 27.6, 53.9, category="school")
    response = APIClient().get("/api/v1/services/", {"category": "health", "city": "minsk"})
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert data["count"] == 1
    props = data["features"][0]["properties"]
    assert props["category"] == "pharmacy"
    assert props["city"] == "minsk"
    assert props["open_now"] is True
    assert props["distance_m"] is None
    categories = APIClient().get("/api/v1/service-categories/").json()["results"]
    health = next(c for c in categories if c["slug"] == "pharmacy")
    assert (health["parent"], health["service_count"]) == ("health", 1)
