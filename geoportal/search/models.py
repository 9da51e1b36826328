from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex

from geoportal.translation import TranslatedNameMixin, translated


class Entry(TranslatedNameMixin):
    """One thing the search finds: its names and a line of detail in three languages, where it
    is, the page that shows it, and its search terms: every spelling of its names folded by
    geoportal.transliteration.fold, as "| term | term |"."""

    class Kind(models.TextChoices):
        REGION = "region"
        CITY = "city"
        SERVICE = "service"
        LAYER = "layer"
        FEATURE = "feature"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Unique within the kind: a slug, or a row's id.
    key = models.CharField(max_length=100)
    detail_be = models.CharField(max_length=300, blank=True)
    detail_ru = models.CharField(max_length=300, blank=True)
    detail_en = models.CharField(max_length=300, blank=True)
    # The page in the default language (the answer adds the reader's prefix).
    url = models.CharField(max_length=300, blank=True)
    # Entries of a layer (the layer itself, its features) are found by those who may see it.
    layer = models.ForeignKey("layers.Layer", on_delete=models.CASCADE, null=True, blank=True)
    # The layer version the features were read from: a re-import re-reads them.
    version = models.PositiveIntegerField(default=0)
    location = models.PointField(srid=4326)
    extent = models.PolygonField(srid=4326, null=True, blank=True)
    # How much a match matters before its similarity: a city before a hamlet of the same name.
    weight = models.FloatField(default=0)
    terms = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="search_kind_key")]
        indexes = [
            GinIndex(fields=["terms"], opclasses=["gin_trgm_ops"], name="search_terms_trgm"),
            models.Index(fields=["layer", "version"], name="search_layer_version"),
        ]

    @property
    def detail(self):
        return translated(self, "detail")
