from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "geoportal.search"
    label = "search"  # its table and migrations keep the name they were made with
    verbose_name = _("Search")

    def ready(self):
        from . import index

        index.connect()
