import json

import pytest
from django.contrib.gis.geos import GEOSGeometry

from cities.demo import DATA_DIR, load
from cities.models import City, Region

PROGRAMME_CITIES = {
    "minsk", "brest", "vitebsk", "gomel", "grodno", "mogilev", "orsha", "baranovichi", "pinsk",
    "novopolotsk", "polotsk", "mozyr", "lida", "borisov", "soligorsk", "molodechno", "bobruisk",
}  # fmt: skip


def belarus():
    with open(DATA_DIR / "ne10m_admin0_belarus.geojson", encoding="utf-8") as fh:
        return GEOSGeometry(json.dumps(json.load(fh)["features"][0]["geometry"]), srid=4326)


@pytest.mark.django_db
def test_loads_the_seven_regions_and_seventeen_cities(demo):
    assert Region.objects.count() == 7
    assert set(Region.objects.values_list("iso_code", flat=True)) == {
        "BY-BR", "BY-HO", "BY-HR", "BY-MA", "BY-MI", "BY-VI", "BY-HM",
    }  # fmt: skip
    assert set(City.objects.values_list("slug", flat=True)) == PROGRAMME_CITIES


@pytest.mark.django_db
def test_regions_are_valid_and_inside_belarus(demo):
    # Natural Earth's admin-0 and admin-1 are drawn at the same scale but not identically:
    # allow a 2 km margin on the national outline.
    country = belarus().buffer(0.03)
    for region in Region.objects.all():
        assert region.geom.valid, region.iso_code
        assert Region.objects.filter(pk=region.pk, geom__within=country).exists(), region.iso_code
        assert region.area_km2 > 500


@pytest.mark.django_db
def test_each_city_point_is_inside_its_region(demo):
    for city in City.objects.all():
        assert Region.objects.filter(pk=city.region_id, geom__contains=city.location).exists(), (
            city.slug
        )
    assert City.objects.get(slug="borisov").region.iso_code == "BY-MI"
    assert City.objects.get(slug="minsk").region.iso_code == "BY-HM"


@pytest.mark.django_db
def test_minsk_alone_has_a_boundary(demo):
    minsk = City.objects.get(slug="minsk")
    assert minsk.boundary is not None
    assert minsk.boundary.contains(minsk.location)
    assert 300 < minsk.area_km2 < 700
    assert "Natural Earth" in minsk.boundary_source
    assert list(City.objects.filter(boundary__isnull=False).values_list("slug", flat=True)) == [
        "minsk"
    ]


@pytest.mark.django_db
def test_names_kinds_and_population_come_from_the_data(demo):
    grodno = City.objects.get(slug="grodno")
    assert (grodno.name_be, grodno.name_ru, grodno.name_en) == ("Гродна", "Гродно", "Grodno")
    assert grodno.kind == City.Kind.OBLAST_CENTRE
    assert grodno.population == 363718
    assert "GeoNames" in grodno.population_source
    assert City.objects.get(slug="minsk").kind == City.Kind.CAPITAL
    assert City.objects.filter(kind=City.Kind.GROWTH_CENTRE).count() == 11
    assert City.objects.get(slug="pinsk").planners is not None


@pytest.mark.django_db
def test_loading_twice_changes_nothing(demo):
    before = {c.slug: (c.pk, c.population, c.area_km2) for c in City.objects.all()}
    regions_before = set(Region.objects.values_list("pk", flat=True))
    load()
    assert {c.slug: (c.pk, c.population, c.area_km2) for c in City.objects.all()} == before
    assert set(Region.objects.values_list("pk", flat=True)) == regions_before
