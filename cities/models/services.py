"""City services: what a citizen looks for (a stop, a clinic, a school...) and where it is.

A service's city is not typed in: the database sets it from the point (see the trigger in
migration 0002 and docs/services.md): the city whose published boundary contains the point, else
the nearest city *without* a published boundary whose point lies within
SERVICE_NEAR_CITY_KM km; `city_basis` records which rule matched, so that a pages never presents
a distance match as being inside city limits.
"""

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from opening_hours import validate as opening_hours_valid

from geoportal.translation import TranslatedNameMixin

from .places import City

# Kept in step with the SQL function cities_service_city() of migration 0002.
SERVICE_NEAR_CITY_KM = 10


def validate_opening_hours(value):
    if value and not opening_hours_valid(value):
        raise ValidationError(
            _("“%(value)s” is not in OpenStreetMap opening_hours syntax (e.g. Mo-Fr 08:00-20:00)."),
            params={"value": value},
        )


class ServiceCategory(TranslatedNameMixin):
    slug = models.SlugField(unique=True)
    # A short symbol drawn on the map markers and the category chips.
    icon = models.CharField(_("icon"), max_length=8, blank=True)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#0b57a4",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour like #0b57a4."))],
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")

    @classmethod
    def tree(cls):
        """Every category, each top-level one followed by its children."""
        categories = list(cls.objects.all())
        children = {}
        for category in categories:
            children.setdefault(category.parent_id, []).append(category)
        ordered = []

        def visit(parent_id):
            for category in children.get(parent_id, []):
                ordered.append(category)
                visit(category.pk)

        visit(None)
        return ordered

    def with_descendants(self):
        """This category's id and those of its children, grandchildren..."""
        ids, frontier = {self.pk}, {self.pk}
        while frontier:
            frontier = (
                set(
                    ServiceCategory.objects.filter(parent_id__in=frontier).values_list(
                        "pk", flat=True
                    )
                )
                - ids
            )
            ids |= frontier
        return ids


class ServiceLocation(TranslatedNameMixin):
    class Wheelchair(models.TextChoices):
        YES = "yes", _("yes")
        LIMITED = "limited", _("limited")
        NO = "no", _("no")
        UNKNOWN = "unknown", _("unknown")

    class CityBasis(models.TextChoices):
        BOUNDARY = "boundary", _("inside the city boundary")
        NEAREST_POINT = "nearest_point", _("near the city (boundary not yet published)")

    # Only the Belarusian name is required: the pages show it where the others are empty
    # (geoportal.translation.translated).
    name_ru = models.CharField(_("name in Russian"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    category = models.ForeignKey(
        ServiceCategory,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("category"),
    )
    # Set by the database from `location` (never edited by hand); see the module docstring.
    city = models.ForeignKey(
        City,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="services",
        verbose_name=_("city"),
    )
    city_basis = models.CharField(
        _("city assigned by"), max_length=20, choices=CityBasis.choices, blank=True, editable=False
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=255,
        blank=True,
        validators=[validate_opening_hours],
        help_text=_("OpenStreetMap opening_hours syntax, e.g. “Mo-Fr 08:00-20:00; PH off”."),
    )
    wheelchair = models.CharField(
        _("wheelchair access"),
        max_length=10,
        choices=Wheelchair.choices,
        default=Wheelchair.UNKNOWN,
    )
    location = models.PointField(_("location"), srid=4326)
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Who gave the data, if not you.")
    )
    # The id of the row in its source (an OSM node, a stop code), so re-imports update in place.
    external_id = models.CharField(_("id in the source"), max_length=100, blank=True)
    updated = models.DateTimeField(_("last update"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("service location")
        verbose_name_plural = _("service locations")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="service_source_external_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["category", "city"], name="service_category_city")]

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The trigger has just set the city from the point: read back what it chose.
        self.city_id, self.city_basis = (
            ServiceLocation.objects.filter(pk=self.pk).values_list("city_id", "city_basis").get()
        )
