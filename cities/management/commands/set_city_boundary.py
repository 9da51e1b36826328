import datetime

from django.core.management.base import BaseCommand, CommandError

from cities.boundaries import set_boundary_from_file
from cities.models import City
from geoportal.gis.files import FileRefused


class Command(BaseCommand):
    help = (
        "Set a city's boundary from a GeoJSON, zipped Shapefile or GeoPackage file "
        "(reprojected to EPSG:4326; must be a valid polygon containing the city's point)."
    )

    def add_arguments(self, parser):
        parser.add_argument("city", help="the city's slug, e.g. brest")
        parser.add_argument("path")
        parser.add_argument("--source", required=True, help="who published the boundary")
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args, **options):
        try:
            city = City.objects.get(slug=options["city"])
        except City.DoesNotExist as exc:
            raise CommandError(f"No city with the slug {options['city']!r}.") from exc
        try:
            set_boundary_from_file(city, options["path"], options["source"], options["date"])
        except FileRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{city.name_en}: boundary set, {city.area_km2:.1f} km²")
