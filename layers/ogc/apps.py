from django.apps import AppConfig


class OgcConfig(AppConfig):
    """A sub-app of layers without models: the OGC API's views, URLs and HTML templates."""

    name = "layers.ogc"
    label = "ogc"
    verbose_name = "OGC API"
