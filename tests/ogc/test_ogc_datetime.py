"""`datetime` filters every collection that has a time: the services' `updated`, and a map layer's
date or date-time attribute that its planner marked as the layer's time; the queryables name it;
an interval that ends before it starts is a 400."""

import json
from datetime import UTC, datetime

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError

from cities.models import City, ServiceCategory, ServiceLocation
from cities.services.demo import load_categories
from layers.ogc.parameters import parse_datetime_param


def matched(client, collection, value, status=200):
    response = client.get(f"/ogc/collections/{collection}/items", {"datetime": value})
    assert response.status_code == status, response.content[:300]
    return json.loads(response.content).get("numberMatched")


@pytest.fixture
def dated_layer(ready_layer):
    return ready_layer(
        "inspections",
        [("POINT(27.5 53.9)", {"name": "a", "day": "2024-05-01"}),
         ("POINT(27.6 53.9)", {"name": "b", "day": "2024-05-02"}),
         ("POINT(27.7 53.9)", {"name": "c", "day": "2025-01-10"}),
         ("POINT(27.8 53.9)", {"name": "d", "day": None})],
        attributes=[{"name": "name", "type": "string"}, {"name": "day", "type": "date"}],
        time_attribute="day",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "count"),
    [("2024-05-01", 1), ("2024-05-01T00:00:00Z", 1), ("2024-05-01/2024-05-02", 2),
     ("2024-05-02/..", 2), ("../2024-12-31", 2), ("2024-05-01T12:00:00Z/..", 2),
     ("2030-01-01/..", 0)],
)  # fmt: skip
def test_a_layer_time(client, dated_layer, value, count):
    assert matched(client, "inspections", value) == count


def test_queryables_name_the_time(client, dated_layer):
    body = json.loads(client.get("/ogc/collections/inspections/queryables").content)
    assert body["properties"]["day"]["x-ogc-role"] == "primary-instant"
    assert "x-ogc-role" not in body["properties"]["name"]
    services = json.loads(client.get("/ogc/collections/services/queryables").content)
    assert services["properties"]["updated"]["x-ogc-role"] == "primary-instant"


@pytest.mark.django_db
def test_services_by_their_update(client, demo):
    load_categories()
    category = ServiceCategory.objects.get(slug="pharmacy")
    for day in (1, 2, 3):
        service = ServiceLocation.objects.create(
            name_be=f"Тэст {day}", category=category, source="test",
            location=Point(27.56, 53.9, srid=4326),
        )  # fmt: skip
        ServiceLocation.objects.filter(pk=service.pk).update(
            updated=datetime(2025, 3, day, 10, tzinfo=UTC)
        )
    assert matched(client, "services", "2025-03-02") == 1
    assert matched(client, "services", "2025-03-02T10:00:00Z/..") == 2
    assert matched(client, "services", "../2025-03-01T09:59:59Z") == 0


def test_collections_without_a_time_keep_every_item(client, minsk_points):
    assert matched(client, "minsk-points", "2024-01-01/..") == 250


@pytest.mark.parametrize(
    "value",
    [
        "2025-01-02/2025-01-01",
        "2025-01-01T10:00:00Z/2024-12-31",
        "2025-01-01T10:00:00Z/2025-01-01T09:59:59Z",
        "../..",
        "/",
        "yesterday",
        "2025-01-01/2025-02-01/2025-03-01",
    ],
)
def test_bad_values_are_400(client, dated_layer, value):
    matched(client, "inspections", value, status=400)


def test_intervals_directly():
    day = parse_datetime_param("2025-01-01")
    assert (day.start, day.end, day.end_inclusive) == (
        datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC), False)  # fmt: skip
    assert parse_datetime_param("../2025-01-01T10:00:00+03:00").start is None
    # From 10:00 to the end of that day.
    assert parse_datetime_param("2025-01-01T10:00:00Z/2025-01-01").end == datetime(
        2025, 1, 2, tzinfo=UTC
    )


@pytest.mark.django_db
def test_only_a_date_or_datetime_attribute_can_be_the_time(make_layer, client, planner_of):
    layer = make_layer(attributes=[{"name": "name", "type": "string"},
                                   {"name": "day", "type": "date"}], version=1)  # fmt: skip
    layer.time_attribute = "name"
    with pytest.raises(ValidationError):
        layer.clean()
    layer.time_attribute = "day"
    layer.clean()
    planner = planner_of("minsk")
    layer.city = City.objects.get(slug="minsk")
    layer.save()
    auth = {"Authorization": f"Token {planner.token}"}
    url = f"/api/v1/layers/{layer.slug}/"
    bad = client.patch(url, {"time_attribute": "name"}, content_type="application/json",
                       headers=auth)  # fmt: skip
    assert bad.status_code == 400 and "time_attribute" in json.loads(bad.content)["detail"]
    good = client.patch(url, {"time_attribute": "day"}, content_type="application/json",
                        headers=auth)  # fmt: skip
    assert good.status_code == 200 and json.loads(good.content)["time_attribute"] == "day"
