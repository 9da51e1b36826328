"""Setting a city's boundary from a planner's file: the good, the reprojected and the refused."""

import json
import subprocess
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from cities.boundaries import set_boundary_from_file
from cities.demo import DATA_DIR
from cities.models import City
from geoportal.gis.files import FileRefused


def region_feature(iso_code):
    with open(DATA_DIR / "ne10m_admin1_belarus.geojson", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return next(f for f in features if f["properties"]["iso_3166_2"] == iso_code)


def write_geojson(path, *features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return path


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def brest_region_geojson(tmp_path):
    # The Brest oblast polygon stands in for an official city boundary: it contains the city.
    return write_geojson(tmp_path / "brest.geojson", region_feature("BY-BR"))


@pytest.mark.django_db
def test_good_geojson_sets_boundary_source_and_area(demo, brest_region_geojson):
    brest = City.objects.get(slug="brest")
    set_boundary_from_file(brest, brest_region_geojson, "Test authority")
    brest.refresh_from_db()
    assert brest.boundary.geom_type == "MultiPolygon"
    assert brest.boundary.contains(brest.location)
    assert brest.boundary_source == "Test authority"
    assert brest.boundary_date is not None
    assert 30000 < brest.area_km2 < 36000


@pytest.mark.django_db
@pytest.mark.parametrize("driver,suffix", [("GPKG", ".gpkg"), ("ESRI Shapefile", ".shp")])
def test_file_in_utm_35n_is_reprojected(demo, brest_region_geojson, tmp_path, driver, suffix):
    target = tmp_path / f"brest_utm{suffix}"
    subprocess.run(
        ["ogr2ogr", "-f", driver, "-t_srs", "EPSG:32635", str(target), str(brest_region_geojson)],
        check=True,
    )
    if suffix == ".shp":
        archive = tmp_path / "brest_utm.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for part in tmp_path.glob("brest_utm.*"):
                if part.suffix != ".zip":
                    zf.write(part, part.name)
        target = archive
    brest = City.objects.get(slug="brest")
    set_boundary_from_file(brest, target, "Test authority")
    brest.refresh_from_db()
    assert brest.boundary.srid == 4326
    # Back in degrees, near Brest; not metres.
    xmin, ymin, xmax, ymax = brest.boundary.extent
    assert 23 < xmin < xmax < 28 and 51 < ymin < ymax < 53.5
    assert brest.boundary.contains(brest.location)


@pytest.mark.django_db
def test_polygon_that_misses_the_city_is_refused(demo, tmp_path):
    gomel_oblast = write_geojson(tmp_path / "gomel.geojson", region_feature("BY-HO"))
    brest = City.objects.get(slug="brest")
    with pytest.raises(FileRefused, match="does not contain the point"):
        set_boundary_from_file(brest, gomel_oblast, "Wrong")
    brest.refresh_from_db()
    assert brest.boundary is None and brest.boundary_source == ""


@pytest.mark.django_db
def test_invalid_polygon_is_refused(demo, tmp_path):
    brest = City.objects.get(slug="brest")
    x, y = brest.location.coords
    bow_tie = {
        "type": "Feature",
        "properties": {},
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[x - 1, y - 1], [x + 1, y + 1], [x + 1, y - 1], [x - 1, y + 1], [x - 1, y - 1]]
            ],
        },
    }
    with pytest.raises(FileRefused, match="not a valid polygon"):
        set_boundary_from_file(brest, write_geojson(tmp_path / "bow.geojson", bow_tie), "Bad")
    brest.refresh_from_db()
    assert brest.boundary is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,content,message",
    [
        ("broken.geojson", b'{"type": "FeatureCollection", "features": [', "line 1, column 44"),
        ("empty.geojson", b"", "empty"),
        ("boundary.zip", b"PK\x03\x04 not really a zip", "not a zip file"),
        ("boundary.txt", b"hello", "Unsupported file type"),
    ],
)
def test_broken_files_are_refused_and_change_nothing(demo, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    minsk = City.objects.get(slug="minsk")
    before = (minsk.boundary.wkt, minsk.boundary_source)
    with pytest.raises(FileRefused, match=message):
        set_boundary_from_file(minsk, path, "Broken")
    minsk.refresh_from_db()
    assert (minsk.boundary.wkt, minsk.boundary_source) == before


@pytest.mark.django_db
def test_zip_without_shapefile_is_refused(demo, tmp_path):
    archive = tmp_path / "no_shp.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "no shapefile here")
    with pytest.raises(FileRefused, match="no .shp"):
        set_boundary_from_file(City.objects.get(slug="lida"), archive, "x")


@pytest.mark.django_db
def test_management_command(demo, brest_region_geojson, tmp_path):
    call_command(
        "set_city_boundary",
        "brest",
        str(brest_region_geojson),
        "--source",
        "Cmd",
        "--date",
        "2026-01-31",
    )
    brest = City.objects.get(slug="brest")
    assert brest.boundary_source == "Cmd" and str(brest.boundary_date) == "2026-01-31"
    gomel = write_geojson(tmp_path / "gomel.geojson", region_feature("BY-HO"))
    with pytest.raises(CommandError, match="does not contain"):
        call_command("set_city_boundary", "pinsk", str(gomel), "--source", "x")
    with pytest.raises(CommandError, match="No city"):
        call_command("set_city_boundary", "atlantis", str(gomel), "--source", "x")


@pytest.mark.django_db
def test_errors_speak_the_planners_language(demo, tmp_path):
    empty = tmp_path / "empty.geojson"
    empty.write_bytes(b"")
    with translation.override("be"), pytest.raises(FileRefused, match="пусты"):
        set_boundary_from_file(City.objects.get(slug="lida"), empty, "x")
