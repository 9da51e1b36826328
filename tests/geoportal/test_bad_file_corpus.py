"""The bad-file corpus (issue 13, part 4), with files made here: a Shapefile whose .shp is cut
short is refused (and a re-import of it keeps the layer's data), a .prj that opens with a blank
line is read, and a CSV row whose longitude is not a number is reported by row and value."""

import pytest
from conftest import TEST_DATA

from geoportal.gis.files import FileRefused
from geoportal.gis.staging import staged_file
from layers.imports.queue import import_now
from layers.models import Feature

pytestmark = pytest.mark.usefixtures("english")

PARTS = ("shp", "shx", "dbf", "prj")


def oblasts_parts(**changed):
    """The oblasts Shapefile's parts as bytes, some of them changed."""
    parts = {ext: (TEST_DATA / f"oblasts_cp1251_nocpg.{ext}").read_bytes() for ext in PARTS}
    return {f"oblasts.{ext}": changed.get(ext, content) for ext, content in parts.items()}


def test_a_shapefile_cut_short_is_refused_and_the_layer_kept(db, make_layer, zip_of, oblasts_zip):
    shp = (TEST_DATA / "oblasts_cp1251_nocpg.shp").read_bytes()
    truncated = zip_of("cut.zip", oblasts_parts(shp=shp[: len(shp) * 6 // 10]))
    with pytest.raises(FileRefused, match="oblasts.shp is cut short"), staged_file(truncated):
        pass
    layer = make_layer("oblasts")
    import_now(layer, oblasts_zip)
    with pytest.raises(FileRefused, match="cut short"):
        import_now(layer, truncated)
    layer.refresh_from_db()
    assert (layer.version, layer.feature_count, layer.status) == (1, 7, "ready")
    assert Feature.objects.filter(layer=layer).count() == 7
    assert "cut short" in layer.versions.get(number=2).error_message


def test_a_prj_opening_with_a_blank_line_is_read(db, zip_of, oblasts_zip):
    prj = (TEST_DATA / "oblasts_cp1251_nocpg.prj").read_bytes()
    with staged_file(oblasts_zip) as plain:
        expected = [round(v, 6) for v in plain.extent]
    blank_first = zip_of("blank.zip", oblasts_parts(prj=b"\r\n\n" + prj + b"\n"))
    with staged_file(blank_first) as staged:
        assert "WGS" in staged.source_crs
        assert [round(v, 6) for v in staged.extent] == expected


def test_a_csv_longitude_that_is_not_a_number_is_reported_by_row_and_value(
    db, make_layer, tmp_path
):
    path = tmp_path / "stops.csv"
    path.write_text("name,lon,lat\nfirst,27.55,53.90\nsecond,abc,53.91\nthird,27.57,\n")
    layer = make_layer("stops")
    version = import_now(layer, path)
    report = version.report
    assert (report["read"], report["imported"], report["skipped"]) == (3, 1, 2)
    assert "row 2: lon 'abc' is not a number" in report["warnings"]
    assert "row 3: lat '' is not a number" in report["warnings"]
