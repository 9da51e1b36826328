from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from geoportal.translation import translated


class TopicCategory(models.TextChoices):
    """ISO 19115 MD_TopicCategoryCode."""

    FARMING = "farming", _("Farming")
    BIOTA = "biota", _("Biota")
    BOUNDARIES = "boundaries", _("Boundaries")
    CLIMATOLOGY = "climatologyMeteorologyAtmosphere", _("Climatology, meteorology, atmosphere")
    ECONOMY = "economy", _("Economy")
    ELEVATION = "elevation", _("Elevation")
    ENVIRONMENT = "environment", _("Environment")
    GEOSCIENTIFIC = "geoscientificInformation", _("Geoscientific information")
    HEALTH = "health", _("Health")
    IMAGERY = "imageryBaseMapsEarthCover", _("Imagery, base maps, earth cover")
    INTELLIGENCE = "intelligenceMilitary", _("Intelligence, military")
    INLAND_WATERS = "inlandWaters", _("Inland waters")
    LOCATION = "location", _("Location")
    OCEANS = "oceans", _("Oceans")
    PLANNING = "planningCadastre", _("Planning, cadastre")
    SOCIETY = "society", _("Society")
    STRUCTURE = "structure", _("Structure")
    TRANSPORTATION = "transportation", _("Transportation")
    UTILITIES = "utilitiesCommunication", _("Utilities, communication")


class LayerSummary:
    """What a Layer and its record (layers/access.py) both answer: the title and abstract in the
    active language, and the attributes that can be the layer's time."""

    @property
    def title(self):
        return translated(self, "title")

    @property
    def abstract(self):
        return translated(self, "abstract")

    def time_attributes(self):
        """The names of the attributes that can be the layer's time: dates and date-times."""
        return [a["name"] for a in self.attributes or [] if a.get("type") in TIME_TYPES]


class Layer(LayerSummary, models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        IMPORTING = "importing", _("importing")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    title_be = models.CharField(_("title (Belarusian)"), max_length=255, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    abstract_be = models.TextField(_("abstract (Belarusian)"), blank=True)
    abstract_ru = models.TextField(_("abstract (Russian)"), blank=True)
    abstract_en = models.TextField(_("abstract (English)"), blank=True)
    slug = models.SlugField(
        _("web address"),
        unique=True,
        max_length=100,
        help_text=_("The end of the layer page's address: Latin letters, digits and hyphens."),
    )
    keywords = ArrayField(
        models.CharField(max_length=100),
        verbose_name=_("keywords"),
        default=list,
        blank=True,
        help_text=_("Separated by commas."),
    )
    topic_category = models.CharField(
        _("topic category"), max_length=40, choices=TopicCategory.choices, blank=True
    )
    city = models.ForeignKey(
        "cities.City",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="layers",
        verbose_name=_("city"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("uploaded by"),
    )
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    attribution = models.CharField(_("attribution"), max_length=500, blank=True)
    is_public = models.BooleanField(_("public"), default=False)

    source_filename = models.CharField(_("source file"), max_length=255, blank=True)
    source_format = models.CharField(_("source format"), max_length=50, blank=True)
    source_crs = models.CharField(_("source CRS"), max_length=100, blank=True)
    geometry_type = models.CharField(_("geometry type"), max_length=30, blank=True)
    # [{"name": "name_ru", "type": "string"}, ...] in the source's field order.
    attributes = models.JSONField(_("attribute schema"), default=list, blank=True)
    # The date or date-time attribute that says when each feature is (or happened): the OGC API's
    # `datetime` filters on it, and its queryables name it.
    time_attribute = models.CharField(
        _("time attribute"), max_length=255, blank=True,
        help_text=_("A date or date-time attribute: the time of each feature, which the OGC API's "
                    "datetime parameter filters on."),
    )  # fmt: skip
    # {"name_be": {"be": "Назва", "ru": "Название", "en": "Name"}}: the attribute table's
    # headings; columns without one get layers.catalogue.DEFAULT_LABELS or their own name.
    column_labels = models.JSONField(
        _("column labels"),
        default=dict,
        blank=True,
        help_text=_(
            'Headings of the attribute table by column and language, e.g. {"name_be": {"be": '
            '"Назва", "ru": "Название", "en": "Name"}}. Columns left out get a default.'
        ),
    )
    feature_count = models.PositiveIntegerField(_("feature count"), default=0)
    extent = models.PolygonField(_("extent"), srid=4326, null=True, blank=True)
    style = models.JSONField(_("style"), default=dict, blank=True)
    # {"kind": ["school", "clinic"], ...}: the values an attribute may take when edited in place
    # (layers/editing/checks.py). Kept apart from `attributes`, which each import rewrites.
    attribute_choices = models.JSONField(_("attribute choices"), default=dict, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    import_report = models.JSONField(_("import report"), default=dict, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated"]
        verbose_name = _("layer")
        verbose_name_plural = _("layers")

    def __str__(self):
        return self.title or self.slug

    def get_absolute_url(self):
        return reverse("layers:detail", args=[self.slug])

    def clean(self):
        super().clean()
        if self.time_attribute and self.time_attribute not in self.time_attributes():
            raise ValidationError({"time_attribute": _(
                "The layer's time must be one of its date or date-time attributes: %(names)s."
            ) % {"names": ", ".join(self.time_attributes()) or _("none")}})  # fmt: skip

    @property
    def is_draft(self):
        """Seen only by its editors: private, or never imported (permissions.visible_layers)."""
        return not (self.is_public and self.version > 0)


# The attribute types (geoportal.gis.staging) that hold a time.
TIME_TYPES = ("date", "datetime")


class Feature(models.Model):
    id = models.BigAutoField(primary_key=True)
    layer = models.ForeignKey(
        Layer, on_delete=models.CASCADE, related_name="features", verbose_name=_("layer")
    )
    geom = models.GeometryField(_("shape"), srid=4326, spatial_index=False)
    properties = models.JSONField(_("attributes"), default=dict)
    source_fid = models.BigIntegerField(_("number in the file"), null=True, blank=True)

    class Meta:
        verbose_name = _("feature")
        verbose_name_plural = _("features")
        # Each layer's features are a partition of their own (partitions.py), so "this layer in
        # this bbox" is answered by the partition's index on geom alone, which PostGIS builds
        # sorted, several times faster than a GiST on (layer, geom) (bench/import.py).
        indexes = [GistIndex(fields=["geom"], name="feature_geom_gist")]

    def __str__(self):
        return f"{self.layer_id}/{self.pk}"


class LayerVersion(models.Model):
    """One (re)import of a layer: who, when, which file and what came of it."""

    layer = models.ForeignKey(
        Layer, on_delete=models.CASCADE, related_name="versions", verbose_name=_("layer")
    )
    number = models.PositiveIntegerField(_("version"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("uploaded by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    source_filename = models.CharField(_("source file"), max_length=255, blank=True)
    source_format = models.CharField(_("source format"), max_length=50, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Layer.Status.choices, default=Layer.Status.QUEUED
    )
    report = models.JSONField(_("report"), default=dict, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    # What the inspection of the file found (geoportal.gis.inspect.Source): the worker stages
    # exactly this, without opening the file again.
    source = models.JSONField(_("inspected source"), default=dict, blank=True, editable=False)
    # What the planner stated about the file (geoportal.gis.inspect.ImportOptions), so that the
    # kept original can be inspected again for a retry or a restore.
    options = models.JSONField(_("import options"), default=dict, blank=True, editable=False)
    # The uploaded file as it came, relative to settings.LAYER_ORIGINALS_ROOT (imports/originals).
    original = models.CharField(_("original file"), max_length=500, blank=True, editable=False)
    restored_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="restorations",
        verbose_name=_("restored from"),
    )
    # The uploader's language (for the notice by e-mail) and whether the in-admin notice of its
    # outcome is still to be shown to them (imports/notices.py).
    language = models.CharField(_("language"), max_length=8, blank=True, editable=False)
    notice_pending = models.BooleanField(default=False, editable=False)
    # Fault recovery (layers/imports/recovery.py): the worker importing the version touches
    # `heartbeat` every few seconds; a sweep takes an import whose heartbeat stopped for dead,
    # drops its `staging_table` and queues it again until `attempts` reach IMPORT_MAX_ATTEMPTS.
    heartbeat = models.DateTimeField(_("last sign of the worker"), null=True, blank=True,
                                     editable=False)  # fmt: skip
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    staging_table = models.CharField(max_length=100, blank=True, editable=False)

    class Meta:
        ordering = ["-number"]
        unique_together = [("layer", "number")]
        verbose_name = _("layer version")
        verbose_name_plural = _("layer versions")

    def __str__(self):
        return gettext("%(layer)s, version %(number)s") % {
            "layer": self.layer,
            "number": self.number,
        }


class FeatureEdit(models.Model):
    """One change to one feature, made in place (the layer page, the OGC API) or by a revert:
    who, when, and the feature before and after as GeoJSON (None where it did not exist). With
    the layer's versions (its imports) this is the layer's history (layers/editing/history.py).

    Feature ids are those of the import `layer_version` made: a re-import gives every feature a
    new id, so an edit's feature_id names a feature of that version only."""

    class Action(models.TextChoices):
        CREATE = "create", _("added")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")

    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="edits")
    layer_version = models.PositiveIntegerField(_("layer version"))
    feature_id = models.BigIntegerField(_("feature"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    # Where the change came from: "page" (the layer page) or "ogc" (OGC API - Features Part 4).
    via = models.CharField(_("made through"), max_length=10)
    reverts = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reverted_by"
    )

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["layer", "-created"], name="featureedit_layer_created"),
            models.Index(fields=["layer", "feature_id"], name="featureedit_layer_feature"),
        ]
        verbose_name = _("feature edit")
        verbose_name_plural = _("feature edits")

    def __str__(self):
        return f"{self.layer_id}/{self.feature_id} {self.action}"
