"""Each computed KPI against a small hand-made case whose answer is known.

The shapes are drawn in metres in UTM zone 35N (EPSG:32635), whose central meridian 27°E runs
through the test city, and stored in WGS84 like everything else; the geodesic areas PostGIS
measures then differ from the planar ones by the zone's scale factor (0.9996², 0.08 %) and
the buffers by their polygonal approximation (32 sides: 0.64 %)."""

import math

import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.core.management import call_command

from cities.indicators.kpis import recompute, service_count_per_100k, transport_convenience
from cities.models import City, Indicator, IndicatorValue, Region, ServiceCategory, ServiceLocation
from layers.kpis import green_areas
from layers.models import Feature, Layer

ORIGIN = (500_000, 5_872_000)  # UTM 35N metres, about 27°E 53°N


def utm(x, y):
    point = Point(ORIGIN[0] + x, ORIGIN[1] + y, srid=32635)
    point.transform(4326)
    return point.coords


def square(x0, y0, x1, y1):
    polygon = Polygon([utm(x0, y0), utm(x1, y0), utm(x1, y1), utm(x0, y1), utm(x0, y0)])
    polygon.srid = 4326
    return polygon


@pytest.fixture
def testville(indicators):
    """A 2 km × 2 km city of 80,000 inhabitants (400 ha)."""
    return City.objects.create(
        slug="testville", name_be="Тэст", name_ru="Тест", name_en="Testville", kind="growth_centre",
        region=Region.objects.get(iso_code="BY-MI"), population=80_000,
        population_source="hand-made", location=Point(*utm(1000, 1000), srid=4326),
        boundary=MultiPolygon(square(0, 0, 2000, 2000), srid=4326), boundary_source="hand-made",
    )  # fmt: skip


def green_layer(slug, city, *geoms, keywords=("green-areas",), public=True):
    layer = Layer.objects.create(
        slug=slug, title_en=slug, city=city, keywords=list(keywords), is_public=public,
        status=Layer.Status.READY, version=1,
    )  # fmt: skip
    Feature.objects.bulk_create([Feature(layer=layer, geom=geom, properties={}) for geom in geoms])
    return layer


def near(actual, expected, tolerance):
    assert abs(actual - expected) <= expected * tolerance, (actual, expected)


@pytest.mark.django_db
def test_green_areas_union_the_polygons_and_clip_them_to_the_boundary(testville):
    green_layer(
        "parks", testville,
        square(0, 0, 1000, 1000),  # 100 ha
        square(500, 0, 1500, 1000),  # overlaps the first by 50 ha: adds 50 ha
        square(1800, 0, 2800, 500),  # 50 ha, of which 10 ha inside the city
        LineString(utm(0, 0), utm(2000, 2000), srid=4326),  # not an area: ignored
    )  # fmt: skip
    green_layer("untagged", testville, square(0, 1000, 2000, 2000), keywords=("parks",))
    green_layer("private", testville, square(0, 1000, 2000, 2000), public=False)
    result = green_areas(testville)
    # 160 ha for 80,000 inhabitants: 200 ha per 100,000.
    near(result.value, 200, 0.002)
    assert not result.approximate
    assert "parks" in result.method and "clipped" in result.method


@pytest.mark.django_db
def test_green_areas_without_a_boundary_use_the_city_layer_unclipped_and_say_so(testville):
    testville.boundary = None
    testville.save()
    green_layer("parks", testville, square(0, 0, 1000, 1000), square(1800, 0, 2800, 500))
    green_layer("national", None, square(0, 1000, 2000, 2000))  # cannot be cut to the city
    result = green_areas(testville)
    near(result.value, 150 / 80_000 * 100_000, 0.002)
    assert result.approximate and "not published" in result.method


@pytest.mark.django_db
def test_green_areas_are_not_computed_without_a_layer(testville):
    skip = green_areas(testville)
    assert "green-areas" in skip.reason


def categories():
    transport = ServiceCategory.objects.create(
        slug="transport", name_be="т", name_ru="т", name_en="Transport"
    )
    stop = ServiceCategory.objects.create(
        slug="public-transport-stop", parent=transport, name_be="п", name_ru="о", name_en="Stop"
    )
    health = ServiceCategory.objects.create(slug="health", name_be="з", name_ru="з", name_en="H")
    clinic = ServiceCategory.objects.create(
        slug="clinic", parent=health, name_be="п", name_ru="п", name_en="Clinic"
    )
    return stop, clinic


def service(category, x, y):
    return ServiceLocation.objects.create(
        category=category, name_be="s", name_ru="s", name_en="s", source="hand-made",
        location=Point(*utm(x, y), srid=4326),
    )  # fmt: skip


@pytest.mark.django_db
def test_transport_convenience_is_the_share_of_the_boundary_within_500_m_of_a_stop(testville):
    stop, clinic = categories()
    service(stop, 1000, 1000)  # a 500 m disc in the middle: 78.54 ha of 400 ha
    service(clinic, 0, 0)  # not a stop
    service(stop, 5000, 5000)  # 3 km away from the city
    result = transport_convenience(testville)
    near(result.value, math.pi * 500**2 / 2000**2 * 100, 0.008)  # 19.63 %
    assert result.approximate and "evenly" in result.method


@pytest.mark.django_db
def test_transport_convenience_counts_overlapping_discs_once(testville):
    stop, _ = categories()
    service(stop, 900, 1000)
    service(stop, 1100, 1000)  # 200 m apart
    lens = 2 * 500**2 * math.acos(200 / 1000) - 100 * math.sqrt(1000**2 - 200**2)
    union = 2 * math.pi * 500**2 - lens
    near(transport_convenience(testville).value, union / 2000**2 * 100, 0.008)  # 24.60 %


@pytest.mark.django_db
def test_transport_convenience_needs_a_boundary(testville):
    stop, _ = categories()
    service(stop, 1000, 1000)
    testville.boundary = None
    testville.save()
    assert "boundary" in transport_convenience(testville).reason


@pytest.mark.django_db
def test_services_per_100k_count_the_category_in_the_city(testville):
    stop, clinic = categories()
    child = ServiceCategory.objects.create(
        slug="children-clinic", parent=clinic, name_be="д", name_ru="д", name_en="Children's"
    )
    service(clinic, 100, 100)
    service(clinic, 1900, 1900)
    service(child, 1000, 500)  # a subcategory counts
    service(clinic, 2500, 2500)  # outside the boundary
    service(stop, 500, 500)  # another category
    indicator = Indicator.objects.get(code="GP: SV: CLINIC")
    result = service_count_per_100k(testville, indicator)
    assert result.value == pytest.approx(3 / 80_000 * 100_000)  # 3.75
    assert "3 services" in result.method
    skip = service_count_per_100k(testville, Indicator.objects.get(code="GP: SV: SCHOOL"))
    assert skip.reason


@pytest.mark.django_db
def test_recompute_stores_dated_computed_values_and_spares_cited_ones(testville):
    stop, clinic = categories()
    service(stop, 1000, 1000)
    service(clinic, 100, 100)
    report = recompute(City.objects.filter(slug="testville"))
    saved = {value.indicator.code: value for value in report.saved}
    assert set(saved) == {"EC: I: T: 2A", "GP: SV: CLINIC", "GP: SV: PUBLIC-TRANSPORT-STOP"}
    transport = saved["EC: I: T: 2A"]
    assert transport.source == "computed" and transport.computed_at and transport.method
    assert transport.year == transport.computed_at.year
    # A cited figure for the year stays; a figure that can no longer be computed goes.
    clinic_value = saved["GP: SV: CLINIC"]
    clinic_value.source = "City health department, 2026"
    clinic_value.save()
    ServiceLocation.objects.filter(category=stop).delete()
    call_command("recompute_kpis", "testville")
    assert IndicatorValue.objects.get(pk=clinic_value.pk).source.startswith("City health")
    assert not IndicatorValue.objects.filter(indicator__code="EC: I: T: 2A").exists()
