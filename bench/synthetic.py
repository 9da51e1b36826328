"""The synthetic layers of the benchmarks: random points, or small squares around them, over
Belarus's bounding box, plainly labelled as synthetic (never real geography), each layer in a
partition of its own as an import leaves it, in the benchmark's own database.
"""

from servers import create_database, log, setup_django

# Belarus, roughly: where the synthetic features go.
AREA = (23.5, 51.5, 32.5, 56.0)
ATTRIBUTES = [{"name": "name", "type": "String"}, {"name": "kind", "type": "String"},
              {"name": "rank", "type": "Integer"}]  # fmt: skip
_W, _H = AREA[2] - AREA[0], AREA[3] - AREA[1]
POINT = f"ST_SetSRID(ST_MakePoint({AREA[0]} + random() * {_W}, {AREA[1]} + random() * {_H}), 4326)"
GEOMETRIES = {"Point": POINT, "Polygon": f"ST_Expand({POINT}, 0.002)"}


def add_layer(cursor, slug, count, geometry_type, peer_table=None):
    """A public portal layer of `count` synthetic features in a partition of its own, and, for
    the peers, the same rows as a plain table with a GiST index."""
    from layers.models import Layer
    from layers.partitions import index_partition, new_partition, swap_partition

    layer = Layer.objects.create(
        slug=slug, title_en=f"Benchmark {slug[6:]} (synthetic)", is_public=True,
        status=Layer.Status.READY, version=1, attributes=ATTRIBUTES, feature_count=count,
        geometry_type=geometry_type,
    )  # fmt: skip
    cursor.execute("SELECT setseed(0.42)")
    partition = new_partition(cursor, layer.pk)
    cursor.execute(
        f"INSERT INTO {partition} (layer_id, geom, properties, source_fid) "
        f"SELECT %s, {GEOMETRIES[geometry_type]}, jsonb_build_object('name', 'Feature ' || g, "
        f"'kind', (ARRAY['school', 'clinic', 'park'])[1 + g %% 3], 'rank', g), g "
        f"FROM generate_series(1, %s) AS g",
        [layer.pk, count],
    )
    index_partition(cursor, partition)
    swap_partition(cursor, layer.pk, partition)
    if peer_table:
        cursor.execute(
            f"CREATE TABLE {peer_table} AS SELECT id, "
            f"geom::geometry({geometry_type}, 4326) AS geom, "
            f"properties->>'name' AS name, properties->>'kind' AS kind, "
            f"(properties->>'rank')::integer AS rank FROM layers_feature WHERE layer_id = %s",
            [layer.pk],
        )
        cursor.execute(f"ALTER TABLE {peer_table} ADD PRIMARY KEY (id)")
        cursor.execute(f"CREATE INDEX ON {peer_table} USING gist (geom)")
    cursor.execute(
        "UPDATE layers_layer SET extent = (SELECT ST_Envelope(ST_Extent(geom))::geometry "
        "FROM layers_feature WHERE layer_id = %s) WHERE id = %s",
        [layer.pk, layer.pk],
    )
    log(
        f"  {slug}: {count:,} features" + (f"; table {peer_table} for the peers" * bool(peer_table))
    )
    return layer


def build_database(db, layers):
    """The benchmark's database `db` anew with the layers [(slug, count, geometry type, peer
    table or None)], and Django set up on it; returns {slug: 200 random feature ids}."""
    create_database(db)
    setup_django(db)
    from django.db import connection

    with connection.cursor() as cursor:
        made = {spec[0]: add_layer(cursor, *spec) for spec in layers}
        cursor.execute("VACUUM ANALYZE")
        ids = {}
        for slug, layer in made.items():
            cursor.execute(
                "SELECT id FROM layers_feature WHERE layer_id = %s ORDER BY random() LIMIT 200",
                [layer.pk],
            )
            ids[slug] = [row[0] for row in cursor.fetchall()]
    return ids
