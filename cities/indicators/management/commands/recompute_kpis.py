from django.core.management.base import BaseCommand, CommandError

from cities.indicators.kpis import recompute
from cities.models import City


class Command(BaseCommand):
    help = "Recompute the KPIs computed from the map (all cities, or those named by slug)."

    def add_arguments(self, parser):
        parser.add_argument("cities", nargs="*", metavar="CITY", help="city slugs")

    def handle(self, *args, **options):
        cities = City.objects.all()
        if options["cities"]:
            cities = cities.filter(slug__in=options["cities"])
            missing = set(options["cities"]) - set(cities.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"unknown cities: {', '.join(sorted(missing))}")
        report = recompute(cities)
        for value in report.saved:
            self.stdout.write(
                f"{value.city.slug}: {value.indicator.code} = {value.value:.2f} ({value.year})"
            )
        for city, skip in report.skipped:
            self.stdout.write(f"{city.slug}: {skip.code} not computed: {skip.reason}")
        self.stdout.write(self.style.SUCCESS(f"{len(report.saved)} computed values saved"))
