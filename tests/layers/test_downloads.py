"""Downloads in every format, re-imported through the real import pipeline and compared."""

import csv
import io
import json
import zipfile

import pytest
from django.contrib.auth.models import User

from layers.imports.queue import import_now
from layers.models import Layer

SOURCE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [[[27.5, 53.9], [27.51, 53.9],
                         [27.51, 53.91], [27.5, 53.91], [27.5, 53.9]]]},
            "properties": {"name": "Парк Горкага", "population": 1200, "share": 0.25,
                           "district_population": 10, "district_name_long": "Цэнтральны"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [[[23.7, 52.1], [23.71, 52.1],
                         [23.705, 52.11], [23.7, 52.1]]]},
            "properties": {"name": "Brest \"fort\", north", "population": 35, "share": 1.5,
                           "district_population": 20, "district_name_long": "Маскоўскі"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "MultiPolygon", "coordinates": [
                [[[30.3, 53.9], [30.31, 53.9], [30.31, 53.91], [30.3, 53.9]]],
                [[[30.4, 53.9], [30.41, 53.9], [30.41, 53.91], [30.4, 53.9]]]]},
            "properties": {"name": "Магілёў; two parts", "population": 0, "share": -2.125,
                           "district_population": 30, "district_name_long": "Ленінскі"},
        },
    ],
}  # fmt: skip
NAMES = ["name", "population", "share", "district_population", "district_name_long"]


@pytest.fixture
def parks(db, tmp_path, eager_celery):  # noqa: ARG001 (db or transactional_db, as the test asks)
    path = tmp_path / "parks.geojson"
    path.write_text(json.dumps(SOURCE, ensure_ascii=False), encoding="utf-8")
    layer = Layer.objects.create(
        slug="parks", title_en="Parks", is_public=True, licence="CC BY 4.0",
        attribution="City of Minsk (sample data)",
    )  # fmt: skip
    import_now(layer, path)
    layer.refresh_from_db()
    assert layer.feature_count == 3
    return layer


def download(client, fmt, **params):
    """A selection streams at once; a whole layer is made by the worker (here in the test's
    process) on the first request, which answers 202, and served as a file on the next."""
    url = f"/en/layers/parks/download/{fmt}/"
    if not params:
        first = client.get(url)
        assert first.status_code == 202, first
        assert first["Retry-After"]
    response = client.get(url, params)
    assert response.status_code == 200, response
    assert response.streaming
    return response, b"".join(response.streaming_content)


def reimport(tmp_path, content, filename):
    path = tmp_path / filename
    path.write_bytes(content)
    copy = Layer.objects.create(slug=f"copy-{filename.replace('.', '-')}", title_en="Copy")
    import_now(copy, path)
    copy.refresh_from_db()
    return copy


def features(layer):
    return [(f.geom, f.properties) for f in layer.features.order_by("source_fid", "id")]


def normalise(value, as_text):
    if as_text:
        return "" if value is None else str(value)
    return value


def assert_equal_layers(original, copy, *, names=None, as_text=False):
    """Same features in the same order: geometry equal to 1e-7 degrees, same attribute values
    (`names` maps original attribute names to the copy's, for Shapefile)."""
    names = names or {n: n for n in NAMES}
    assert copy.feature_count == original.feature_count
    assert copy.geometry_type == original.geometry_type
    left = sorted(features(original), key=lambda f: f[1]["district_population"])
    right = sorted(features(copy), key=lambda f: int(f[1][names["district_population"]]))
    for (geom_a, props_a), (geom_b, props_b) in zip(left, right, strict=True):
        # Shapefile turns outer rings clockwise: compare normalised geometries.
        normal_a, normal_b = geom_a.normalize(clone=True), geom_b.normalize(clone=True)
        assert normal_a.equals_exact(normal_b, 1e-7), (geom_a.wkt, geom_b.wkt)
        for name in NAMES:
            a, b = props_a[name], props_b.get(names[name])
            if not as_text and isinstance(a, float):
                assert b == pytest.approx(a)
            else:
                assert normalise(b, as_text) == normalise(a, as_text), name


@pytest.mark.django_db
def test_geojson_is_rfc7946_and_reimports_equal(client, parks, tmp_path):
    response, content = download(client, "geojson")
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Disposition"] == 'attachment; filename="parks-v1.geojson"'
    assert 'rel="license"' in response["Link"]
    data = json.loads(content)
    assert data["type"] == "FeatureCollection" and "crs" not in data
    assert data["licence"] == "CC BY 4.0"
    assert data["attribution"] == "City of Minsk (sample data)"
    assert_equal_layers(parks, reimport(tmp_path, content, "parks.geojson"))


@pytest.mark.django_db
def test_csv_has_bom_and_wkt_and_reimports_equal(client, parks, tmp_path):
    response, content = download(client, "csv")
    assert response["Content-Disposition"] == 'attachment; filename="parks-v1.csv"'
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["WKT", *NAMES]
    assert rows[1][0].startswith("MULTIPOLYGON(((27.5 53.9")
    assert rows[2][1] == 'Brest "fort", north'
    assert_equal_layers(parks, reimport(tmp_path, content, "parks.csv"), as_text=True)


# ogr2ogr reads PostGIS over its own connection: these tests commit their data.
@pytest.mark.django_db(transaction=True)
def test_geopackage_reimports_equal(client, parks, tmp_path):
    response, content = download(client, "gpkg")
    assert response["Content-Disposition"] == 'attachment; filename="parks-v1.gpkg"'
    assert content.startswith(b"SQLite format 3")
    assert_equal_layers(parks, reimport(tmp_path, content, "parks.gpkg"))


@pytest.mark.django_db(transaction=True)
def test_shapefile_zip_has_cpg_field_list_and_licence_and_reimports_equal(client, parks, tmp_path):
    response, content = download(client, "shp")
    assert response["Content-Disposition"] == 'attachment; filename="parks-v1.shp.zip"'
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert {"parks.shp", "parks.shx", "parks.dbf", "parks.prj", "parks.cpg"} <= set(
        archive.namelist()
    )
    assert archive.read("parks.cpg").decode().strip() == "UTF-8"
    assert "CC BY 4.0" in archive.read("LICENCE.txt").decode()
    mapping = {
        row["original_name"]: row["shapefile_field"]
        for row in csv.DictReader(io.StringIO(archive.read("field_names.csv").decode()))
    }
    assert mapping["district_population"] == "district_p"
    assert mapping["district_name_long"] == "district_n"
    assert all(len(short.encode()) <= 10 for short in mapping.values())
    copy = reimport(tmp_path, content, "parks.zip")
    assert_equal_layers(parks, copy, names=mapping)


@pytest.mark.django_db(transaction=True)
def test_kml_reimports_equal(client, parks, tmp_path):
    response, content = download(client, "kml")
    assert response["Content-Disposition"] == 'attachment; filename="parks-v1.kml"'
    assert b"<kml" in content and b"CC BY 4.0" in content
    copy = reimport(tmp_path, content, "parks.kml")
    # KML's own placemark <name> holds the "name" attribute; GDAL reads it back as "Name".
    assert_equal_layers(parks, copy, names={**{n: n for n in NAMES}, "name": "Name"})


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_bbox_and_filter_select_a_part(client, parks, tmp_path, fmt):
    response, content = download(client, fmt, bbox="27,53,28,54")
    assert response["Content-Disposition"] == f'attachment; filename="parks-v1-selection.{fmt}"'
    copy = reimport(tmp_path, content, f"part.{fmt}")
    assert [p["name"] for _, p in features(copy)] == ["Парк Горкага"]
    _, content = download(client, fmt, column="district_population", value="30")
    copy = reimport(tmp_path, content, f"filtered.{fmt}")
    assert [p["share"] for _, p in features(copy)] == [-2.125]


@pytest.mark.django_db
def test_bad_requests(client, parks):
    assert client.get("/en/layers/parks/download/xls/").status_code == 404
    response = client.get("/en/layers/parks/download/geojson/", {"bbox": "1,2,3"})
    assert response.status_code == 400
    assert b"four numbers" in response.content


@pytest.mark.django_db
def test_private_layer_downloads_refused_to_the_anonymous(client, parks):
    parks.is_public = False
    parks.save()
    for fmt in ("geojson", "csv", "gpkg", "shp", "kml"):
        assert client.get(f"/en/layers/parks/download/{fmt}/").status_code == 404
    client.force_login(User.objects.create_superuser("admin"))
    download(client, "geojson")
