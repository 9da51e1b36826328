import csv
from collections import Counter

import pytest
from django.db import IntegrityError, transaction

from cities.indicators.catalogue import DATA_DIR, load_catalogue
from cities.models import City, Indicator, IndicatorValue
from cities.models.indicators import code_slug


@pytest.mark.django_db
def test_catalogue_loads_the_91_u4ssc_kpis_with_unique_codes_and_slugs():
    load_catalogue()
    load_catalogue()  # idempotent
    u4ssc = Indicator.objects.filter(framework="u4ssc")
    assert u4ssc.count() == 91
    codes = list(Indicator.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    slugs = list(Indicator.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == len(codes)
    # ITU's three dimensions: 45 economy, 17 environment, 29 society and culture KPIs.
    assert Counter(u4ssc.values_list("dimension", flat=True)) == {
        "economy": 45, "environment": 17, "society": 29,
    }  # fmt: skip
    assert set(u4ssc.values_list("category", flat=True)) == set(Indicator.Category.values)
    assert set(u4ssc.values_list("sub_dimension", flat=True)) == set(Indicator.SubDimension.values)


@pytest.mark.django_db
def test_the_codes_are_ITU_codes_whose_letter_gives_core_or_advanced():
    load_catalogue()
    transport = Indicator.objects.get(code="EC: I: T: 2A")
    assert (transport.dimension, transport.sub_dimension, transport.category) == (
        "economy", "infrastructure", "transport",
    )  # fmt: skip
    assert transport.tier == "advanced" and transport.kind == "sustainable"
    assert transport.slug == "ec-i-t-2a"
    assert transport.name_en == "Public Transport Network Convenience"
    green = Indicator.objects.get(code="EN: EN: PSN: 1C")
    assert green.tier == "core" and green.category == "public-space-nature"
    assert green.unit_en == "hectares per 100,000 inhabitants"
    for indicator in Indicator.objects.filter(framework="u4ssc"):
        dimension, sub, category, number = (part.strip() for part in indicator.code.split(":"))
        assert dimension in {"EC", "EN", "SC"}, indicator.code
        assert indicator.tier == ("core" if number.endswith("C") else "advanced"), indicator.code
        assert indicator.name_be and indicator.name_ru and indicator.definition_be, indicator.code
    assert Indicator.objects.get(code="EN: EN: AQ: 1C").subseries == [
        "PM2.5", "PM10", "NO2", "SO2", "O3",
    ]  # fmt: skip


def test_code_slugs_are_url_safe():
    assert code_slug("EC: ICT: ICT: 1C") == "ec-ict-ict-1c"
    assert code_slug("GP: SV: PUBLIC-SERVICE-CENTRE") == "gp-sv-public-service-centre"
    with open(DATA_DIR / "u4ssc_kpis.csv", encoding="utf-8") as fh:
        slugs = [code_slug(row["code"]) for row in csv.DictReader(fh)]
    assert all(slug.replace("-", "").isalnum() for slug in slugs)


@pytest.mark.django_db
def test_one_value_per_city_indicator_year_and_subseries(indicators):
    minsk = City.objects.get(slug="minsk")
    air = Indicator.objects.get(code="EN: EN: AQ: 1C")
    IndicatorValue.objects.create(city=minsk, indicator=air, year=2024, value=1, source="x")
    IndicatorValue.objects.create(
        city=minsk, indicator=air, year=2024, subseries="PM10", value=2, source="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(city=minsk, indicator=air, year=2024, value=3, source="y")
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(
            city=minsk, indicator=air, year=2024, subseries="PM10", value=4, source="y"
        )
    assert IndicatorValue.objects.count() == 2
