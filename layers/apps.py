from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = _("Map layers")

    def ready(self):
        from .importers import drop_layer_partition

        post_delete.connect(drop_layer_partition, sender=self.get_model("Layer"))
