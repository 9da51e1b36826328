from django.db import migrations


class Migration(migrations.Migration):
    """The schema where ogr2ogr stages uploaded files before their rows move into layers_feature.
    Created here (committed) because ogr2ogr writes through its own database connection."""

    dependencies = [("layers", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SCHEMA IF NOT EXISTS import_staging",
            "DROP SCHEMA IF EXISTS import_staging CASCADE",
        ),
    ]
