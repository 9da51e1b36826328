"""ogr2ogr writes each row of an import once, straight into the layer's next partition, with its
attributes as jsonb made on the way (geoportal/gis/loading.py); PostGIS then changes only the
rows that need it (layers/imports/pipeline.settle_rows)."""

import csv
import json
import tempfile

import pytest
from django.db import connection

from geoportal.gis.inspect import inspect
from geoportal.gis.loading import load
from geoportal.gis.staging import drop_staged, new_staging_table
from layers.imports.queue import import_now
from layers.models import Layer
from layers.partitions import layer_partitions, partition_sql

pytestmark = pytest.mark.usefixtures("english")


def feature(properties, geometry):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def point(x, y):
    return {"type": "Point", "coordinates": [x, y]}


def write_geojson(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def writers_of_rows(layer):
    """Who wrote the layer's current rows, and how many each: "ogr2ogr" (a transaction of
    another connection) or "portal" (this test's transaction, where the import's own SQL runs)."""
    with connection.cursor() as cursor:
        (partition,) = layer_partitions(cursor, layer.pk)
        cursor.execute(
            "SELECT CASE WHEN xmin::text = mod(txid_current(), 4294967296)::text "
            f"THEN 'portal' ELSE 'ogr2ogr' END, count(*) FROM {partition} GROUP BY 1 ORDER BY 1"
        )
        return cursor.fetchall()


def test_every_attribute_keeps_its_json_type(make_layer, tmp_path):
    hostile = 'name"); DROP TABLE layers_layer; --'
    properties = {
        "text": 'it\'s "quoted" <b>',
        "number": 1.5,
        "integer": 7,
        "flag": True,
        "off": False,
        "nothing": None,
        "list": ["a", "b,c"],
        "numbers": [1, 2],
        "object": {"x": {"y": [1]}},
        "day": "2024-05-09",
        hostile: "kept as a key",
    }
    # More fields than one SQLite json_object call takes: the object is built from chunks.
    properties.update({f"f{i:03}": i for i in range(150)})
    path = write_geojson(
        tmp_path / "types.geojson",
        [feature(properties, point(27.56, 53.9)), feature({"text": "second"}, point(23.7, 52.1))],
    )
    layer = make_layer()
    import_now(layer, path)
    layer.refresh_from_db()
    assert layer.status == Layer.Status.READY, layer.error_message
    first = layer.features.get(properties__integer=7).properties
    assert first == properties
    types = {a["name"]: a["type"] for a in layer.attributes}
    assert (types["flag"], types["integer"], types["number"], types["day"]) == (
        "boolean", "integer", "number", "date",
    )  # fmt: skip
    assert layer.features.get(properties__text="second").properties["flag"] is None
    assert Layer.objects.filter(pk=layer.pk).exists()


def test_rows_are_written_once_and_only_those_to_repair_are_touched(make_layer, tmp_path):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[27, 53], [28, 54], [28, 53], [27, 54], [27, 53]]],
    }
    square = {"type": "Polygon", "coordinates": [[[25, 52], [25.1, 52], [25.1, 52.1], [25, 52]]]}
    clean = write_geojson(
        tmp_path / "clean.geojson", [feature({"n": i}, square) for i in range(50)]
    )
    layer = make_layer()
    import_now(layer, clean)
    # ogr2ogr wrote every row where it stays: none was staged elsewhere and moved by the portal.
    assert writers_of_rows(layer) == [("ogr2ogr", 50)]
    assert layer.features.filter(geom__isvalid=True).count() == 50

    mixed = write_geojson(
        tmp_path / "mixed.geojson",
        [feature({"n": i}, square) for i in range(48)]
        + [feature({"n": 48}, bowtie), feature({"n": 49}, None)],
    )
    import_now(layer, mixed)
    layer.refresh_from_db()
    # Mixed Polygon file: all are made MultiPolygons, the bow-tie repaired, the empty one skipped.
    assert (layer.feature_count, layer.geometry_type) == (49, "MultiPolygon")
    report = layer.import_report
    assert (report["read"], report["repaired"], report["skipped"]) == (50, 1, 1)
    assert report["skipped_feature_ids"] == [49]
    assert layer.features.filter(geom__isvalid=False).count() == 0
    # Only the bow-tie was rewritten (the empty one removed); every other row kept as loaded.
    assert writers_of_rows(layer) == [("ogr2ogr", 48), ("portal", 1)]


def test_points_stay_points_and_are_not_rewritten(make_layer, tmp_path):
    path = write_geojson(
        tmp_path / "points.geojson", [feature({"n": i}, point(24 + i / 10, 53)) for i in range(30)]
    )
    layer = make_layer()
    import_now(layer, path)
    layer.refresh_from_db()
    assert layer.geometry_type == "Point"
    assert writers_of_rows(layer) == [("ogr2ogr", 30)]


def test_progress_follows_the_rows_as_they_arrive(db, tmp_path):
    path = tmp_path / "grid.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lon", "lat", "name"])
        for i in range(300_000):
            writer.writerow([24 + (i % 1000) / 200, 52 + (i // 1000) / 100, f"p{i}"])
    source = inspect(path, tempfile.mkdtemp(dir=tmp_path))
    assert source.feature_count == 300_000
    table = new_staging_table()
    seen = []
    with connection.cursor() as cursor:
        make_table = partition_sql(cursor, 1, table)
    try:
        load(source, table, 1, make_table, seen.append)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), count(DISTINCT layer_id) FROM {table}")
            assert cursor.fetchone() == (300_000, 1)
    finally:
        drop_staged(table)
    assert any(0 < percent < 100 for percent in seen), seen
    assert seen == sorted(seen)


def test_the_swap_only_adopts_what_was_built_before_it(make_layer, tmp_path):
    """The partition's indexes and foreign key are built and checked before the swap's lock, and
    its statistics gathered: ATTACH adopts ours (their names are the import's) instead of making
    its own, and the new version's first queries are planned with statistics."""
    path = write_geojson(
        tmp_path / "points.geojson", [feature({"n": i}, point(24 + i / 10, 53)) for i in range(30)]
    )
    layer = make_layer()
    import_now(layer, path)
    with connection.cursor() as cursor:
        (partition,) = layer_partitions(cursor, layer.pk)
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
            "AND conparentid <> 0",
            [partition],
        )
        assert [row[0].endswith("_layer_fk") for row in cursor.fetchall()] == [True]
        cursor.execute(
            "SELECT c.relname FROM pg_index AS x JOIN pg_class AS c ON c.oid = x.indexrelid "
            "JOIN pg_inherits AS i ON i.inhrelid = x.indexrelid WHERE x.indrelid = %s::regclass",
            [partition],
        )
        adopted = [row[0] for row in cursor.fetchall()]
        assert len(adopted) == 3 and all(name.startswith("s_") for name in adopted), adopted
        cursor.execute(
            "SELECT count(*) FROM pg_statistic WHERE starelid = %s::regclass", [partition]
        )
        assert cursor.fetchone()[0] > 0


def test_a_file_of_many_long_field_names_is_read_whole(make_layer, tmp_path):
    """Its SELECT is longer than one program argument may be (128 kB): ogr2ogr reads it from a
    file."""
    properties = {f"{'поле_' * 15}{i:04}": i for i in range(1500)}
    path = write_geojson(tmp_path / "wide.geojson", [feature(properties, point(27.5, 53.9))])
    layer = make_layer()
    import_now(layer, path)
    layer.refresh_from_db()
    assert layer.status == Layer.Status.READY, layer.error_message
    assert layer.features.get().properties == properties


def test_points_mixed_with_multipoints_become_multipoints(make_layer, tmp_path):
    multi = {"type": "MultiPoint", "coordinates": [[27.5, 53.9], [27.6, 53.95]]}
    path = write_geojson(
        tmp_path / "mixed.geojson",
        [feature({"n": i}, point(24 + i / 10, 53)) for i in range(3)] + [feature({"n": 3}, multi)],
    )
    layer = make_layer()
    import_now(layer, path)
    layer.refresh_from_db()
    assert layer.geometry_type == "MultiPoint"
    assert {f.geom.geom_type for f in layer.features.all()} == {"MultiPoint"}
    # The three points were made MultiPoints in place; the MultiPoint kept as loaded.
    assert writers_of_rows(layer) == [("ogr2ogr", 1), ("portal", 3)]
