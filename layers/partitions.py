"""The feature table is partitioned by layer (migration 0003): each layer's features are one
partition of layers_feature. An import fills a new partition while the old one still serves,
then swaps it in within the import's transaction; a deleted layer's partition goes with it.

Lock order: whoever changes a layer and its features in one transaction locks the layer's row
(layers_layer) before any feature (layers_feature). The import's swap does the same, table-wide
(layers/imports/pipeline.swap_in), so the two wait for each other instead of deadlocking.
"""

import uuid

from django.db import connection


def _partition_name(layer_id):
    return f"layers_feature_{int(layer_id)}_{uuid.uuid4().hex[:8]}"


def partition_sql(cursor, layer_id, partition):
    """The statement that makes `partition`: an empty table shaped like layers_feature for the
    layer's next features, not yet attached (swap_partition does that). Its columns are read
    from the catalogue, not by `LIKE layers_feature`, which would wait for a lock that a swap
    in progress holds on the feature table."""
    cursor.execute(
        "SELECT quote_ident(a.attname), format_type(a.atttypid, a.atttypmod), a.attnotnull, "
        "pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute AS a "
        "LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = 'layers_feature'::regclass AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum"
    )
    columns = [
        f"{name} {kind}" + " NOT NULL" * not_null + (f" DEFAULT {default}" if default else "")
        for name, kind, not_null, default in cursor.fetchall()
    ]
    return f"CREATE TABLE {partition} ({', '.join(columns)}, CHECK (layer_id = {int(layer_id)}))"


def new_partition(cursor, layer_id):
    """Make a new partition for the layer's next features (partition_sql); returns its name."""
    partition = _partition_name(layer_id)
    cursor.execute(partition_sql(cursor, layer_id, partition))
    return partition


def layer_partitions(cursor, layer_id):
    cursor.execute(
        "SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'layers_feature'::regclass "
        "AND pg_get_expr(c.relpartbound, c.oid) = %s",
        [f"FOR VALUES IN ('{int(layer_id)}')"],
    )
    return [row[0] for row in cursor.fetchall()]


def index_partition(cursor, partition):
    """Index a filled new partition in bulk, and check its rows' layer, before it is swapped in:
    ATTACH then finds the indexes and the foreign key it needs and only has to adopt them, under
    the swap's lock, instead of building or checking them there."""
    cursor.execute(f"CREATE INDEX ON {partition} USING gist (geom)")
    cursor.execute(f"CREATE INDEX ON {partition} (layer_id)")
    cursor.execute(f"ALTER TABLE {partition} ADD PRIMARY KEY (id, layer_id)")
    # NOT VALID, then VALIDATE: the check does not keep the layer table from being written.
    key = f"{partition.rpartition('.')[2]}_layer_fk"
    cursor.execute(
        f"ALTER TABLE {partition} ADD CONSTRAINT {key} FOREIGN KEY (layer_id) "
        "REFERENCES layers_layer (id) DEFERRABLE INITIALLY DEFERRED NOT VALID"
    )
    cursor.execute(f"ALTER TABLE {partition} VALIDATE CONSTRAINT {key}")


def swap_partition(cursor, layer_id, partition):
    """Put the new (indexed) partition in the place of the layer's old features (its old
    partition, or its rows in the default partition). A partition filled in another schema
    (an import's) joins the feature table's schema under a partition's name."""
    if "." in partition:
        cursor.execute("SELECT current_schema()")
        cursor.execute(f"ALTER TABLE {partition} SET SCHEMA {cursor.fetchone()[0]}")
        filled, partition = partition.partition(".")[2], _partition_name(layer_id)
        cursor.execute(f"ALTER TABLE {filled} RENAME TO {partition}")
    for old in layer_partitions(cursor, layer_id):
        cursor.execute(f"ALTER TABLE layers_feature DETACH PARTITION {old}")
        cursor.execute(f"DROP TABLE {old}")
    cursor.execute("DELETE FROM layers_feature_default WHERE layer_id = %s", [layer_id])
    cursor.execute(
        f"ALTER TABLE layers_feature ATTACH PARTITION {partition} FOR VALUES IN ({int(layer_id)})"
    )


def drop_layer_partition(sender, instance, **kwargs):
    """post_delete of a Layer: its (by then empty) partition goes too."""
    with connection.cursor() as cursor:
        for old in layer_partitions(cursor, instance.pk):
            cursor.execute(f"DROP TABLE {old}")
