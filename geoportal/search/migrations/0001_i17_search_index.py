import django.contrib.gis.db.models.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("layers", "0004_layerversion_source"),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name="Entry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name_be", models.CharField(max_length=200, verbose_name="name (Belarusian)")),
                ("name_ru", models.CharField(max_length=200, verbose_name="name (Russian)")),
                ("name_en", models.CharField(max_length=200, verbose_name="name (English)")),
                ("kind", models.CharField(choices=[("region", "Region"), ("city", "City"), ("service", "Service"), ("layer", "Layer"), ("feature", "Feature")], max_length=10)),
                ("key", models.CharField(max_length=100)),
                ("detail_be", models.CharField(blank=True, max_length=300)),
                ("detail_ru", models.CharField(blank=True, max_length=300)),
                ("detail_en", models.CharField(blank=True, max_length=300)),
                ("url", models.CharField(blank=True, max_length=300)),
                ("version", models.PositiveIntegerField(default=0)),
                ("location", django.contrib.gis.db.models.fields.PointField(srid=4326)),
                ("extent", django.contrib.gis.db.models.fields.PolygonField(blank=True, null=True, srid=4326)),
                ("weight", models.FloatField(default=0)),
                ("terms", models.TextField()),
                ("layer", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to="layers.layer")),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(fields=["terms"], name="search_terms_trgm", opclasses=["gin_trgm_ops"]),
                    models.Index(fields=["layer", "version"], name="search_layer_version"),
                ],
                "constraints": [models.UniqueConstraint(fields=("kind", "key"), name="search_kind_key")],
            },
        ),
    ]
