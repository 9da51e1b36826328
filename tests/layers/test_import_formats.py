"""Real files of every supported format go through the one pipeline into PostGIS."""

import pytest
from conftest import TEST_DATA
from django.db import connection

from geoportal.gis.files import FileRefused
from geoportal.gis.inspect import ImportOptions
from geoportal.gis.staging import drop_staged, stage_file
from layers.imports.queue import import_now
from layers.models import Layer

pytestmark = pytest.mark.usefixtures("english")

# Belarus, with a margin: imported geometries must land here in lon/lat.
BELARUS = (23.0, 51.2, 32.8, 56.2)


def imported(layer):
    layer.refresh_from_db()
    assert layer.status == Layer.Status.READY, layer.error_message
    return layer


def names(layer, field):
    return set(layer.features.values_list(f"properties__{field}", flat=True))


def inside(extent, box):
    return (
        box[0] <= extent[0] and box[1] <= extent[1] and extent[2] <= box[2] and extent[3] <= box[3]
    )


def test_zipped_shapefile_cp1251_without_cpg_comes_out_cyrillic(make_layer, oblasts_zip):
    layer = make_layer()
    import_now(layer, oblasts_zip)
    layer = imported(layer)
    assert layer.feature_count == 7
    assert "Гомельская область" in names(layer, "name_ru")
    assert layer.source_format == "ESRI Shapefile"
    assert layer.geometry_type == "MultiPolygon"
    assert {"name": "name_ru", "type": "string"} in layer.attributes
    assert inside(layer.extent.extent, BELARUS)
    version = layer.versions.get()
    assert (version.number, version.status, version.source_filename) == (1, "ready", "oblasts.zip")
    assert version.report["imported"] == 7


def test_encoding_stated_by_the_planner_wins(make_layer, oblasts_zip):
    layer = make_layer()
    import_now(layer, oblasts_zip, ImportOptions(encoding="latin-1"))
    # Read as Latin-1, the CP1251 bytes are not Cyrillic: the planner's choice was applied.
    assert "Гомельская область" not in names(imported(layer), "name_ru")


def test_shapefile_with_cpg_is_honoured(make_layer):
    layer = make_layer()
    import_now(layer, TEST_DATA / "coutwildrnp.zip")
    layer = imported(layer)
    assert layer.feature_count == 67
    assert "Mount Naomi Wilderness" in names(layer, "NAME")


def test_projected_geopackage_is_reprojected_and_the_planner_picks_the_table(make_layer):
    layer = make_layer()
    with pytest.raises(FileRefused, match="2 layers: oblasts, target_cities"):
        import_now(layer, TEST_DATA / "belarus_utm35n.gpkg")
    import_now(layer, TEST_DATA / "belarus_utm35n.gpkg", ImportOptions(layer_name="target_cities"))
    layer = imported(layer)
    assert layer.source_crs == "EPSG:32635"
    assert layer.feature_count == 17
    assert layer.geometry_type == "Point"
    assert inside(layer.extent.extent, BELARUS)
    minsk = layer.features.get(properties__name_ru="Минск").geom
    assert minsk.distance(type(minsk)(27.56, 53.90, srid=4326)) < 0.05


def test_each_table_of_a_geopackage_can_be_a_layer(make_layer):
    first, second = make_layer("oblasts"), make_layer("cities")
    import_now(first, TEST_DATA / "belarus_utm35n.gpkg", ImportOptions(layer_name="oblasts"))
    import_now(second, TEST_DATA / "belarus_utm35n.gpkg", ImportOptions(layer_name="target_cities"))
    assert (imported(first).feature_count, imported(second).feature_count) == (7, 17)


@pytest.mark.parametrize(
    ("filename", "options", "count", "geometry_type", "field", "value"),
    [
        ("fiona_test.geojson", {}, 1, "MultiPolygon", "name:ru", "Гренада"),
        ("oblasts.kml", {}, 7, "MultiPolygon", "Name", "Gomel"),
        ("oblasts.fgb", {}, 7, "MultiPolygon", "name_ru", "Гомельская область"),
        ("target_cities_17.gpx", {}, 17, "Point", "name", "Минск"),
        ("settlements_50.csv", {}, 50, "Point", "name_ru", "Мушичи"),
        (
            "target_cities_17.csv",
            {"x_column": "osm_lon", "y_column": "osm_lat"},
            17,
            "Point",
            "name_ru",
            "Минск",
        ),
    ],
)
def test_every_format(make_layer, filename, options, count, geometry_type, field, value):
    layer = make_layer()
    import_now(layer, TEST_DATA / filename, ImportOptions(**options))
    layer = imported(layer)
    assert layer.feature_count == count
    assert layer.geometry_type == geometry_type
    assert value in names(layer, field)
    assert layer.source_crs == "EPSG:4326"


def test_kmz(make_layer, zip_of):
    kmz = zip_of("oblasts.kmz", {"doc.kml": TEST_DATA / "oblasts.kml"})
    layer = make_layer()
    import_now(layer, kmz)
    layer = imported(layer)
    assert layer.feature_count == 7
    assert layer.source_format == "KMZ"


def test_csv_in_windows_1251_is_detected(make_layer, tmp_path):
    path = tmp_path / "cities.csv"
    text = (TEST_DATA / "target_cities_17.csv").read_text(encoding="utf-8")
    path.write_bytes(text.encode("cp1251", errors="replace"))
    layer = make_layer()
    import_now(layer, path, ImportOptions(x_column="osm_lon", y_column="osm_lat"))
    assert "Минск" in names(imported(layer), "name_ru")


def test_curves_are_linearised(make_layer):
    layer = make_layer()
    import_now(layer, TEST_DATA / "curvepolygon.gpkg")
    layer = imported(layer)
    assert layer.geometry_type == "MultiPolygon"
    assert layer.features.get().geom.geom_type == "MultiPolygon"


def test_invalid_and_empty_geometries_are_repaired_skipped_and_reported(make_layer):
    layer = make_layer()
    import_now(layer, TEST_DATA / "invalid_and_empty.csv")
    layer = imported(layer)
    report = layer.import_report
    assert report["read"] == 5
    assert report["imported"] == 3
    assert report["repaired"] == 1
    assert report["skipped_reasons"] == {"missing or empty geometry": 2}
    assert layer.geometry_type == "MultiPolygon"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bool_and(ST_IsValid(geom)), bool_and(ST_NDims(geom) = 2), "
            "array_agg(DISTINCT GeometryType(geom)) FROM layers_feature WHERE layer_id = %s",
            [layer.pk],
        )
        valid, flat, types = cursor.fetchone()
    assert valid and flat
    assert types == ["MULTIPOLYGON"]
    bowtie = layer.features.get(properties__name="bow-tie, self-intersecting").geom
    assert len(bowtie) == 2  # the bow-tie became its two triangles


def test_no_crs_is_refused_unless_stated(make_layer, zip_of):
    parts = {
        f"oblasts.{ext}": TEST_DATA / f"oblasts_cp1251_nocpg.{ext}" for ext in ("shp", "shx", "dbf")
    }
    noprj = zip_of("noprj.zip", parts)
    layer = make_layer()
    with pytest.raises(FileRefused, match="no coordinate reference system.*prj"):
        import_now(layer, noprj)
    import_now(layer, noprj, ImportOptions(crs="EPSG:4326"))
    assert imported(layer).feature_count == 7
    with pytest.raises(FileRefused, match="Unknown CRS"):
        import_now(layer, noprj, ImportOptions(crs="EPSG:999999"))


def test_reimport_replaces_features_and_records_versions(make_layer):
    layer = make_layer()
    import_now(layer, TEST_DATA / "oblasts.kml")
    import_now(layer, TEST_DATA / "target_cities_17.gpx")
    layer = imported(layer)
    assert layer.version == 2
    assert layer.features.count() == 17
    assert list(layer.versions.values_list("number", "status")) == [(2, "ready"), (1, "ready")]


def test_staging_reader_reports_what_it_found(db):
    staged = stage_file(TEST_DATA / "settlements_50.csv")
    try:
        assert staged.table.startswith("import_staging.s_")
        assert staged.row_count == staged.geometry_count == 50
        assert staged.geometry_column == "geom"
        assert staged.geometry_types == ["POINT"]
        assert staged.source_crs == "EPSG:4326"
        assert "name_be" in [c["name"] for c in staged.columns]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {staged.table} WHERE name_ru = 'Мушичи'")
            assert cursor.fetchone()[0] == 1
    finally:
        drop_staged(staged.table)


def test_an_import_stores_the_default_style_and_keeps_a_saved_one(make_layer, oblasts_zip):
    from layers.styles import default_style

    layer = make_layer()
    assert layer.style == {}
    import_now(layer, oblasts_zip)
    layer = imported(layer)
    assert layer.style == default_style("MultiPolygon")
    saved = {"type": "single", "symbol": {**layer.style["symbol"], "fill_colour": "#123456"}}
    layer.style = saved
    layer.save()
    import_now(layer, oblasts_zip)
    assert imported(layer).style == saved
