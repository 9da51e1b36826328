from django.core.management.base import BaseCommand, CommandError

from cities.services.imports import import_services, read_service_file
from geoportal.gis.files import FileRefused


class Command(BaseCommand):
    help = (
        "Import city services from a CSV or GeoJSON file. The file is the complete list of its "
        "source: services of that source missing from the file are removed. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv (lon/lat columns) or .geojson file")
        parser.add_argument("--source", required=True, help="who published the data")

    def handle(self, *args, **options):
        try:
            report = import_services(read_service_file(options["file"]), source=options["source"])
        except FileRefused as exc:
            raise CommandError("\n".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"services: {report}"))
