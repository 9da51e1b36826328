import pytest
from django.contrib.auth.models import User
from django.utils import translation

from cities.indicators.demo import SAMPLE_VALUES
from cities.indicators.exports import values_csv
from cities.indicators.imports import import_values
from cities.models import City, IndicatorValue
from geoportal.gis.files import FileRefused

HEADER = "city,indicator,year,value,source,subseries\n"
GOOD = "minsk,EC: ICT: ICT: 1C,2023,81.5,Belstat 2024 table 3,\n"


@pytest.mark.django_db
def test_import_saves_rows_and_a_second_import_updates_them(indicators):
    result = import_values(HEADER + GOOD + "brest,ec-p-em-1c,2023,3.1,Belstat,\n")
    assert (result.created, result.updated) == (2, 0)
    result = import_values(HEADER + "minsk,EC: ICT: ICT: 1C,2023,82,Belstat 2025,\n")
    assert (result.created, result.updated) == (0, 1)
    value = IndicatorValue.objects.get(city__slug="minsk", indicator__code="EC: ICT: ICT: 1C")
    assert (value.value, value.source, value.is_sample) == (82, "Belstat 2025", False)


@pytest.mark.django_db
def test_a_file_with_bad_rows_imports_nothing_and_names_every_row(indicators):
    text = (
        HEADER
        + GOOD
        + "atlantis,EC: ICT: ICT: 1C,2023,1,x,\n"  # row 3
        + "minsk,XX: 9,2023,1,x,\n"  # row 4
        + "minsk,EC: ICT: ICT: 1C,twenty,1,x,\n"  # row 5
        + "minsk,EC: ICT: ICT: 1C,2022,lots,x,\n"  # row 6
        + "minsk,EC: ICT: ICT: 1C,2021,1,,\n"  # row 7
        + "minsk,EC: ICT: ICT: 1C,2020,1,computed,\n"  # row 8
        + "minsk,EN: EN: AQ: 1C,2023,12,x,CO2\n"  # row 9
        + "minsk,EC: ICT: ICT: 1C,2023,80,again,\n"  # row 10: same as row 2
    )
    with pytest.raises(FileRefused) as caught, translation.override("en"):
        import_values(text)
    errors = dict(caught.value.problems)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "atlantis" in errors[3]
    assert "XX: 9" in errors[4]
    assert "twenty" in errors[5]
    assert "lots" in errors[6]
    assert "source" in errors[7]
    assert "computed" in errors[8]
    assert "CO2" in errors[9] and "PM2.5" in errors[9]
    assert "row 2" in errors[10]
    assert IndicatorValue.objects.count() == 0


@pytest.mark.django_db
def test_missing_columns_and_empty_files_are_refused(indicators):
    with pytest.raises(FileRefused) as caught, translation.override("en"):
        import_values("city,indicator,year\nminsk,EC: ICT: ICT: 1C,2023\n")
    assert "value" in caught.value.problems[0][1] and "source" in caught.value.problems[0][1]
    with pytest.raises(FileRefused):
        import_values(HEADER)
    with pytest.raises(FileRefused):
        import_values(b"\xff\xfe\x00garbage")


@pytest.mark.django_db
def test_semicolon_files_with_a_bom_and_decimal_commas_are_read(indicators):
    text = "\ufeffcity;indicator;year;value;source\nminsk;EC: ICT: ICT: 1C;2023;81,5;Belstat\n"
    import_values(text.encode("utf-8"))
    assert IndicatorValue.objects.get().value == 81.5


@pytest.mark.django_db
def test_a_planner_imports_only_for_their_city(indicators):
    planner = User.objects.create_user("planner", is_staff=True)
    planner.groups.add(City.objects.get(slug="brest").planners)
    with pytest.raises(FileRefused) as caught:
        import_values(HEADER + "brest,EC: ICT: ICT: 1C,2023,80,x,\n" + GOOD, user=planner)
    assert [row for row, _ in caught.value.problems] == [3]
    assert IndicatorValue.objects.count() == 0
    import_values(HEADER + "brest,EC: ICT: ICT: 1C,2023,80,x,\n", user=planner)
    assert IndicatorValue.objects.get().city.slug == "brest"


@pytest.mark.django_db
def test_export_reads_back_through_the_import(indicators):
    import_values(SAMPLE_VALUES.read_bytes())
    exported = values_csv(IndicatorValue.objects.select_related("city", "indicator"))
    assert exported.splitlines()[0].startswith("city,indicator,year,subseries,value,source")
    assert ",yes," in exported  # the sample flag travels with the figure
    IndicatorValue.objects.all().delete()
    result = import_values(exported)
    assert result.created == 136
    assert IndicatorValue.objects.filter(is_sample=True).count() == 136
