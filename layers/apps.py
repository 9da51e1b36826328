from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = _("Map layers")

    def ready(self):
        from .access import forget
        from .downloads.store import forget_layer
        from .imports.originals import forget_original
        from .partitions import drop_layer_partition

        layer = self.get_model("Layer")
        post_delete.connect(drop_layer_partition, sender=layer)
        post_delete.connect(forget_layer, sender=layer)
        for signal in (pre_save, post_save, post_delete):
            signal.connect(forget, sender=layer)
        post_delete.connect(forget_original, sender=self.get_model("LayerVersion"))
