"""The feature table is partitioned by layer (migration 0003): each layer's features are one
partition of layers_feature. An import fills a new partition while the old one still serves,
then swaps it in within the import's transaction; a deleted layer's partition goes with it.

Lock order: whoever changes a layer and its features in one transaction locks the layer's row
(layers_layer) before any feature (layers_feature). The import's swap does the same, table-wide
(layers/imports/pipeline.swap_in), so the two wait for each other instead of deadlocking.
"""

import uuid

from django.db import connection


def new_partition(cursor, layer_id):
    """A new, empty table shaped like layers_feature for the layer's next features; not yet
    attached (swap_partition does that). Returns its name."""
    partition = f"layers_feature_{int(layer_id)}_{uuid.uuid4().hex[:8]}"
    cursor.execute(
        f"CREATE TABLE {partition} (LIKE layers_feature INCLUDING DEFAULTS, "
        f"CHECK (layer_id = {int(layer_id)}))"
    )
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
    """Index a filled new partition in bulk, before it is swapped in."""
    cursor.execute(f"CREATE INDEX ON {partition} USING gist (layer_id, geom)")
    cursor.execute(f"CREATE INDEX ON {partition} (layer_id)")
    cursor.execute(f"ALTER TABLE {partition} ADD PRIMARY KEY (id, layer_id)")


def swap_partition(cursor, layer_id, partition):
    """Put the new (indexed) partition in the place of the layer's old features (its old
    partition, or its rows in the default partition)."""
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
