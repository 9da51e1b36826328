from django.core.management.base import BaseCommand, CommandError

from cities.models import City
from geoportal.gis.files import FileRefused
from geoportal.gis.inspect import ImportOptions
from layers.imports.queue import import_now, new_layer_slug
from layers.models import Layer


class Command(BaseCommand):
    help = (
        "Import a GIS file (zipped Shapefile, GeoJSON, GeoPackage, KML/KMZ, CSV, FlatGeobuf, GPX) "
        "as a layer, or re-import it into the layer with the given slug."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--title", required=True)
        parser.add_argument("--slug")
        visibility = parser.add_mutually_exclusive_group()
        visibility.add_argument("--public", dest="is_public", action="store_true", default=None)
        visibility.add_argument("--private", dest="is_public", action="store_false")
        parser.add_argument("--city", help="the city's slug")
        parser.add_argument("--crs", default="", help="the source CRS, e.g. EPSG:32635")
        parser.add_argument("--encoding", default="", help="the attribute encoding, e.g. CP1251")
        parser.add_argument("--layer", default="", help="which layer of a multi-layer file")

    def handle(self, *args, **options):
        city = None
        if options["city"]:
            city = City.objects.filter(slug=options["city"]).first()
            if city is None:
                raise CommandError(f"No city with the slug {options['city']!r}.")
        slug = options["slug"] or new_layer_slug(options["title"])
        layer, created = Layer.objects.get_or_create(
            slug=slug, defaults={"title_be": options["title"], "city": city}
        )
        if not created:
            layer.title_be = options["title"]
            if city is not None:
                layer.city = city
        if options["is_public"] is not None:
            layer.is_public = options["is_public"]
        layer.save()
        import_options = ImportOptions(
            crs=options["crs"], encoding=options["encoding"], layer_name=options["layer"]
        )
        try:
            import_now(layer, options["path"], import_options)
        except FileRefused as exc:
            if created:
                layer.delete()
            raise CommandError(str(exc)) from exc
        layer.refresh_from_db()
        report = layer.import_report
        self.stdout.write(
            self.style.SUCCESS(
                f"{layer.slug}: {report['imported']} features imported "
                f"({report['repaired']} repaired, {report['skipped']} skipped), "
                f"version {layer.version}"
            )
        )
