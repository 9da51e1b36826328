"""Bad input gets a plain-language error and leaves the existing layer exactly as it was."""

import pytest
from conftest import TEST_DATA

from geoportal.gis.files import FileRefused
from geoportal.gis.inspect import ImportOptions
from geoportal.gis.staging import stage_file
from layers.imports import pipeline
from layers.imports.queue import import_now
from layers.models import Layer

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def existing(make_layer):
    """A layer with good data, which no bad upload may change."""
    layer = make_layer("existing")
    import_now(layer, TEST_DATA / "oblasts.kml")
    layer.refresh_from_db()
    return layer


def snapshot(layer):
    layer.refresh_from_db()
    fields = ("feature_count", "version", "source_filename", "geometry_type", "attributes")
    return (
        {name: getattr(layer, name) for name in fields},
        layer.extent.wkt,
        sorted(layer.features.values_list("id", flat=True)),
    )


def slip_zip(zip_of):
    return zip_of(
        "slip.zip",
        {
            "oblasts.shp": TEST_DATA / "oblasts_cp1251_nocpg.shp",
            "../../etc/evil.txt": b"outside",
        },
    )


def bomb_zip(zip_of):
    # 50 MB of zeros compress to about 50 kB: over the (lowered) cap once unpacked.
    return zip_of("bomb.zip", {"oblasts.shp": b"\0" * 50 * 2**20})


def many_files_zip(zip_of):
    return zip_of("many.zip", {f"part{i}.shp": b"x" for i in range(30)})


def wrong_extension(tmp_path):
    path = tmp_path / "oblasts.docx"
    path.write_bytes((TEST_DATA / "oblasts.kml").read_bytes())
    return path


def empty_file(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_bytes(b"")
    return path


def csv_without_coordinates(tmp_path):
    path = tmp_path / "no_coordinates.csv"
    path.write_text("name,population\nМінск,1996553\nБрэст,340000\n", encoding="utf-8")
    return path


def broken_geojson(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feat', encoding="utf-8")
    return path


CASES = {
    "corrupt zip": (lambda tmp, z: TEST_DATA / "badzip.zip", "damaged or is not a zip file"),
    "zip slip": (lambda tmp, z: slip_zip(z), "points outside its folder"),
    "zip bomb": (lambda tmp, z: bomb_zip(z), "would unpack to 50 MB; the limit is 10 MB"),
    "too many files": (lambda tmp, z: many_files_zip(z), "holds 30 files; the limit is 20"),
    "zip without .shp": (lambda tmp, z: TEST_DATA / "noshp.zip", "has no .shp file"),
    "wrong extension": (lambda tmp, z: wrong_extension(tmp), "Unsupported format .docx"),
    "empty file": (lambda tmp, z: empty_file(tmp), "is empty"),
    "CSV without coordinates": (
        lambda tmp, z: csv_without_coordinates(tmp),
        "No coordinates found in the CSV.*Its columns are: name, population",
    ),
    "broken GeoJSON": (
        lambda tmp, z: broken_geojson(tmp),
        "broken.geojson is not valid GeoJSON: it breaks off at line 1, column",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_clearly_and_changes_nothing(
    case, existing, tmp_path, zip_of, settings
):
    settings.IMPORT_ZIP_MAX_UNCOMPRESSED = 10 * 2**20
    settings.IMPORT_ZIP_MAX_FILES = 20
    make, message = CASES[case]
    path = make(tmp_path, zip_of)
    before = snapshot(existing)
    with pytest.raises(FileRefused, match=message):
        import_now(existing, path)
    assert snapshot(existing) == before
    existing.refresh_from_db()
    assert existing.status == Layer.Status.READY
    failed = existing.versions.get(number=2)
    assert failed.status == "failed"
    assert failed.error_message == existing.error_message
    # Nothing escaped the temporary folder.
    assert not (tmp_path.parent / "etc" / "evil.txt").exists()


def test_upload_size_limit(tmp_path, settings, db):
    settings.MAX_UPLOAD_SIZE = 1000
    with pytest.raises(FileRefused, match="the limit is"):
        stage_file(TEST_DATA / "oblasts.kml")


def test_csv_column_named_by_the_planner_must_exist(db):
    with pytest.raises(FileRefused, match="no column lon_x; its columns are: name_ru"):
        stage_file(
            TEST_DATA / "target_cities_17.csv", ImportOptions(x_column="lon_x", y_column="osm_lat")
        )


def test_a_reimport_failing_midway_leaves_the_old_features(existing, monkeypatch):
    """The new rows are already in layers_feature and the old deleted when the failure comes:
    the transaction rolls all of it back."""
    before = snapshot(existing)

    def fail_after_moving(layer, version, staged, report):
        assert layer.features.count() == 17  # the new features are in, the old gone...
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "_finish", fail_after_moving)
    with pytest.raises(FileRefused, match="disk full"):
        import_now(existing, TEST_DATA / "target_cities_17.gpx")
    assert snapshot(existing) == before  # ...and yet nothing changed.
    existing.refresh_from_db()
    assert existing.status == Layer.Status.READY
    assert "disk full" in existing.error_message


def test_a_first_import_that_fails_marks_the_layer_failed(make_layer):
    layer = make_layer()
    with pytest.raises(FileRefused):
        import_now(layer, TEST_DATA / "noshp.zip")
    layer.refresh_from_db()
    assert (layer.status, layer.feature_count, layer.version) == ("failed", 0, 0)
    assert "has no .shp file" in layer.error_message


def test_staging_tables_and_temporary_folders_are_cleaned_up(existing, tmp_path, monkeypatch):
    import tempfile

    from django.db import connection

    def staging_tables():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = 'import_staging'"
            )
            return cursor.fetchone()[0]

    before = staging_tables()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    import_now(existing, TEST_DATA / "target_cities_17.gpx")
    with pytest.raises(FileRefused):
        import_now(existing, TEST_DATA / "noshp.zip")

    def fail(table):
        raise FileRefused("after staging")

    monkeypatch.setattr(pipeline, "settle_rows", fail)
    with pytest.raises(FileRefused, match="after staging"):
        import_now(existing, TEST_DATA / "target_cities_17.gpx")
    assert list(tmp_path.iterdir()) == []
    assert staging_tables() == before


def test_errors_speak_the_planners_language(db):
    from django.utils import translation

    with translation.override("be"), pytest.raises(FileRefused, match="няма файла .shp"):
        stage_file(TEST_DATA / "noshp.zip")
    with translation.override("ru"), pytest.raises(FileRefused, match="нет файла .shp"):
        stage_file(TEST_DATA / "noshp.zip")
