from django.db import migrations

# layers_feature becomes a table partitioned by layer: each imported layer gets its own partition,
# loaded and indexed on its own (a bulk GiST build instead of a million index insertions) and
# swapped in with DETACH/ATTACH in the import's one transaction. Rows of layers without a
# partition of their own (features written through the ORM) live in the default partition.
# Django's view of the table is unchanged: the same columns, index and constraint names.
# PostgreSQL 15 cannot have an identity column on a partitioned table: a sequence default does
# the same for Django. The primary key of a partitioned table must include the partition key.
FORWARD = """
ALTER TABLE layers_feature RENAME TO layers_feature_unpartitioned;
ALTER TABLE layers_feature_unpartitioned RENAME CONSTRAINT layers_feature_pkey
    TO layers_feature_unpartitioned_pkey;
ALTER TABLE layers_feature_unpartitioned RENAME CONSTRAINT
    layers_feature_layer_id_cbd2a8db_fk_layers_layer_id TO layers_feature_unpartitioned_fk;
ALTER INDEX feature_layer_geom_gist RENAME TO layers_feature_unpartitioned_gist;
ALTER INDEX layers_feature_layer_id_cbd2a8db RENAME TO layers_feature_unpartitioned_layer;

CREATE SEQUENCE layers_feature_partitioned_id_seq;
CREATE TABLE layers_feature (
    id bigint NOT NULL DEFAULT nextval('layers_feature_partitioned_id_seq'),
    geom geometry(Geometry, 4326) NOT NULL,
    properties jsonb NOT NULL,
    source_fid bigint NULL,
    layer_id bigint NOT NULL,
    CONSTRAINT layers_feature_pkey PRIMARY KEY (id, layer_id),
    CONSTRAINT layers_feature_layer_id_cbd2a8db_fk_layers_layer_id FOREIGN KEY (layer_id)
        REFERENCES layers_layer (id) DEFERRABLE INITIALLY DEFERRED
) PARTITION BY LIST (layer_id);
ALTER SEQUENCE layers_feature_partitioned_id_seq OWNED BY layers_feature.id;
CREATE TABLE layers_feature_default PARTITION OF layers_feature DEFAULT;
CREATE INDEX feature_layer_geom_gist ON layers_feature USING gist (layer_id, geom);
CREATE INDEX layers_feature_layer_id_cbd2a8db ON layers_feature (layer_id);

INSERT INTO layers_feature (id, geom, properties, source_fid, layer_id)
    SELECT id, geom, properties, source_fid, layer_id FROM layers_feature_unpartitioned;
SELECT setval('layers_feature_partitioned_id_seq', COALESCE(max(id), 0) + 1, false)
    FROM layers_feature;
DROP TABLE layers_feature_unpartitioned;
ALTER SEQUENCE layers_feature_partitioned_id_seq RENAME TO layers_feature_id_seq;
"""


class Migration(migrations.Migration):
    dependencies = [("layers", "0002_import_staging_schema")]

    operations = [migrations.RunSQL(FORWARD)]
