"""What planners type the local way: numbers with a comma or a point (never silently changed),
indicator ranges and units, dates as dd.mm.yyyy in Belarusian and Russian, opening hours as a
week of rows or as "Пн-Пт 8.00-20.00"."""

from datetime import date

import pytest
from django import forms
from django.urls import reverse
from django.utils import formats, translation

from cities.models import City, Indicator, IndicatorValue, ServiceCategory, ServiceLocation
from cities.services.hours import OpeningHoursField, from_local, osm_to_week, week_to_osm
from geoportal.form_fields import LocalFloatField


@pytest.mark.parametrize("language", ["be", "ru", "en"])
@pytest.mark.parametrize(
    "typed,number", [("37,5", 37.5), ("37.5", 37.5), (" -0,25 ", -0.25), ("100", 100.0)]
)
def test_a_decimal_comma_or_point_is_read_in_every_language(language, typed, number):
    with translation.override(language):
        assert LocalFloatField().clean(typed) == number


@pytest.mark.parametrize("typed", ["1.234,5", "1,234.5", "1 234", "37,5,1", "37.5%", "три"])
def test_a_number_that_could_be_read_two_ways_is_refused_with_a_message(typed):
    with translation.override("en"):
        with pytest.raises(forms.ValidationError) as error:
            LocalFloatField().clean(typed)
        assert "37,5 or 37.5" in str(error.value) or "1234,5" in str(error.value)


def test_a_number_is_shown_back_in_the_readers_language_with_its_unit():
    field = LocalFloatField(unit="%")
    with translation.override("be"):
        html = field.widget.render("value", 37.5)
    assert 'value="37,5"' in html and 'inputmode="decimal"' in html and ">%</span>" in html
    assert 'type="number"' not in html  # a browser's number box reads "37,5" as 375


@pytest.mark.parametrize("language,shown", [("be", "01.12.2026"), ("ru", "01.12.2026")])
def test_dates_are_typed_and_shown_as_dd_mm_yyyy(language, shown):
    with translation.override(language):
        assert forms.DateField().clean("01.12.2026") == date(2026, 12, 1)
        assert formats.date_format(date(2026, 12, 1)) == shown
        assert formats.localize_input(date(2026, 12, 1)) == shown


@pytest.mark.django_db
def test_indicator_values_are_checked_against_the_indicators_range(client, brest_planner):
    client.force_login(brest_planner)
    percentage = Indicator.objects.get(code="EC: ICT: ICT: 1C")
    brest = City.objects.get(slug="brest")
    url = reverse("admin:cities_indicatorvalue_add")
    data = {"indicator": percentage.pk, "city": brest.pk, "year": 2025, "subseries": "",
            "source": "Брэсцкі гарвыканкам"}  # fmt: skip
    refused = client.post(url, {**data, "value": "137,5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200
    assert "the value must be from 0 to 100" in refused.text
    assert client.post(url, {**data, "value": "37,5"}).status_code == 302
    assert IndicatorValue.objects.get(city=brest, year=2025).value == 37.5
    units = client.get(url).context["indicator_units"][str(percentage.pk)]
    assert units["unit"] == "%" and "0" in units["note"] and "100" in units["note"]


@pytest.mark.parametrize(
    "typed,osm",
    [
        ("Пн-Пт 8.00-20.00", "Mo-Fr 08:00-20:00"),
        (
            "Пн–Пт 8.00–20.00, Сб 10.00–16.00, Нд выходны",
            "Mo-Fr 08:00-20:00; Sa 10:00-16:00; Su off",
        ),
        ("пн-пт 8:00-20:00; святы выхадны", "Mo-Fr 08:00-20:00; PH off"),
        ("Вс 9.00-13.00", "Su 09:00-13:00"),
        ("кругласутачна", "24/7"),
        ("Mo-Fr 08:00-20:00", "Mo-Fr 08:00-20:00"),
    ],
)
def test_hours_typed_the_local_way_become_openstreetmap_syntax(typed, osm):
    assert from_local(typed) == osm
    assert OpeningHoursField().clean(typed) == osm


def test_the_week_of_rows_reads_and_writes_openstreetmap_syntax():
    text = "Mo-Fr 08:00-13:00,14:00-17:00; Sa 10:00-16:00; PH off"
    week = osm_to_week(text)
    assert week.days["Mo"] == [("08:00", "13:00"), ("14:00", "17:00")]
    assert week.days["Su"] == [] and week.holidays == []
    assert week_to_osm(week) == text
    # What rows cannot show exactly is kept as text.
    assert osm_to_week("Jun-Aug Mo-Fr 08:00-20:00") is None


def test_hours_filled_in_as_rows_are_saved_in_openstreetmap_syntax():
    rows = {f"{day}_0_from": "8.00" for day in ("Mo", "Tu", "We", "Th", "Fr")}
    rows |= {f"{day}_0_to": "20.00" for day in ("Mo", "Tu", "We", "Th", "Fr")}
    rows |= {"Sa_0_from": "10:00", "Sa_0_to": "16:00", "PH_mode": "closed"}
    field = OpeningHoursField()
    assert field.clean({"text": "", "initial": "", "rows": rows}) == (
        "Mo-Fr 08:00-20:00; Sa 10:00-16:00; PH off"
    )
    # Text edited by hand wins over the rows; a bad time is named with its day.
    assert field.clean({"text": "Пн 9.00-10.00", "initial": "", "rows": rows}) == "Mo 09:00-10:00"
    with translation.override("en"), pytest.raises(forms.ValidationError, match="Monday"):
        field.clean({"text": "", "initial": "", "rows": {"Mo_0_from": "25.00", "Mo_0_to": "x"}})


@pytest.mark.django_db
def test_a_service_needs_only_its_belarusian_name(client, brest_planner):
    client.force_login(brest_planner)
    brest = City.objects.get(slug="brest")
    response = client.post(
        reverse("admin:cities_servicelocation_add"),
        {"name_be": "Аптэка № 7", "category": ServiceCategory.objects.get(slug="pharmacy").pk,
         "location": brest.location.geojson, "wheelchair": "unknown",
         "opening_hours": "Пн-Пт 8.00-20.00", "opening_hours_initial": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    pharmacy = ServiceLocation.objects.get(name_be="Аптэка № 7")
    assert (pharmacy.city, pharmacy.opening_hours) == (brest, "Mo-Fr 08:00-20:00")
    with translation.override("en"):
        assert pharmacy.name == "Аптэка № 7"  # the English pages fall back to it
    # The map of a new service opens on the planner's city, not on the whole country.
    form = client.get(reverse("admin:cities_servicelocation_add")).context["adminform"].form
    overrides = form.fields["location"].widget.settings_overrides
    assert overrides["DEFAULT_CENTER"] == (brest.location.y, brest.location.x)
