from django.contrib.auth.models import Group
from django.contrib.gis.db import models
from django.db.models import Func, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from geoportal.translation import TranslatedNameMixin


class GeodesicAreaKm2(Func):
    """Area on the ellipsoid in km², computed by PostGIS (geography), never in Python."""

    template = "(ST_Area(%(expressions)s::geography) / 1000000.0)"
    output_field = models.FloatField()


class Region(TranslatedNameMixin):
    """An oblast or the City of Minsk (ISO 3166-2:BY)."""

    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=6, unique=True)
    slug = models.SlugField(_("web address"), unique=True)
    geom = models.MultiPolygonField(_("boundary"), srid=4326)
    area_km2 = models.GeneratedField(
        expression=GeodesicAreaKm2("geom"),
        output_field=models.FloatField(),
        db_persist=True,
        verbose_name=_("area, km²"),
    )
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["iso_code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="region_geom_valid"),
        ]

    def get_absolute_url(self):
        return reverse("cities:list") + f"?region={self.slug}"


class City(TranslatedNameMixin):
    class Kind(models.TextChoices):
        CAPITAL = "capital", _("capital")
        OBLAST_CENTRE = "oblast_centre", _("oblast centre")
        GROWTH_CENTRE = "growth_centre", _("growth centre")

    class PlatformStatus(models.TextChoices):
        PLANNED = "planned", _("planned")
        PILOT = "pilot", _("pilot")
        OPERATING = "operating", _("operating")

    slug = models.SlugField(_("web address"), unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="cities", verbose_name=_("region")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    population_source = models.CharField(_("population source"), max_length=300, blank=True)
    location = models.PointField(_("location"), srid=4326)
    boundary = models.MultiPolygonField(_("boundary"), srid=4326, null=True, blank=True)
    boundary_source = models.CharField(_("boundary source"), max_length=300, blank=True)
    boundary_date = models.DateField(_("boundary date"), null=True, blank=True)
    area_km2 = models.GeneratedField(
        expression=GeodesicAreaKm2("boundary"),
        output_field=models.FloatField(),
        db_persist=True,
        verbose_name=_("area, km²"),
    )
    location_source = models.CharField(_("location source"), max_length=300, blank=True)
    osm_node = models.CharField(_("OpenStreetMap node"), max_length=40, blank=True)
    geonames_id = models.PositiveIntegerField(_("GeoNames id"), null=True, blank=True)
    platform_status = models.CharField(
        _("smart-city platform status"),
        max_length=20,
        choices=PlatformStatus.choices,
        default=PlatformStatus.PLANNED,
    )
    platform_launch_year = models.PositiveSmallIntegerField(
        _("platform launch year"), null=True, blank=True
    )
    # Planners of this city are the members of this group: they manage its layers and services.
    planners = models.OneToOneField(
        Group,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planned_city",
        verbose_name=_("planners' group"),
    )

    class Meta:
        ordering = ["-population"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        permissions = [("manage_all_cities", _("Can manage the data of every city"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(boundary__isnull=True) | Q(boundary__isvalid=True),
                name="city_boundary_valid",
            ),
        ]

    def get_absolute_url(self):
        return reverse("cities:detail", args=[self.slug])

    @property
    def has_boundary(self):
        return self.boundary is not None

    # A city is drawn as its published boundary where there is one, else as its point: the API,
    # the OGC API and the maps all use these two.
    @staticmethod
    def shape():
        """The city's shape as a database expression."""
        return Coalesce("boundary", "location", output_field=models.GeometryField(srid=4326))

    @staticmethod
    def shape_lookup(lookup, geometry):
        """A Q() testing the city's shape with a spatial lookup (intersects, within...), on the
        boundary's or the point's own index."""
        return Q(**{f"boundary__{lookup}": geometry}) | Q(
            boundary__isnull=True, **{f"location__{lookup}": geometry}
        )
