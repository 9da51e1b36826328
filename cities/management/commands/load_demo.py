from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Load the Belarus demo data (idempotent): every loader named in settings.DEMO_LOADERS."

    def handle(self, *args, **options):
        for dotted in settings.DEMO_LOADERS:
            import_string(dotted)(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data loaded"))
