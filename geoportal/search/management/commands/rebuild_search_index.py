from django.core.management.base import BaseCommand

from geoportal.search import index


class Command(BaseCommand):
    help = "Rebuilds the search index from the regions, cities, services and layers."

    def handle(self, *args, **options):
        index.load(stdout=self.stdout)
