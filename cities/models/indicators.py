"""Smart-city indicators: the ITU U4SSC key performance indicators (Recommendation ITU-T Y.4903)
and the portal's own, their values per city and year, and the cities' targets."""

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import localize
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from geoportal.translation import TranslatedNameMixin, current_language, translated

from .places import City

COMPUTED = "computed"


def code_slug(code):
    """'EC: I: T: 2A' -> 'ec-i-t-2a': codes hold ':' and spaces, URLs get this instead."""
    return slugify(code.replace(":", " "))


class Indicator(TranslatedNameMixin):
    class Framework(models.TextChoices):
        U4SSC = "u4ssc", _("ITU U4SSC")
        GEOPORTAL = "geoportal", _("Geoportal")

    class Dimension(models.TextChoices):
        ECONOMY = "economy", _("Economy")
        ENVIRONMENT = "environment", _("Environment")
        SOCIETY = "society", _("Society and Culture")

    class SubDimension(models.TextChoices):
        ICT = "ict", _("ICT")
        PRODUCTIVITY = "productivity", _("Productivity")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure")
        ENVIRONMENT = "environment", _("Environment")
        ENERGY = "energy", _("Energy")
        EDUCATION_HEALTH_CULTURE = "education-health-culture", _("Education, Health and Culture")
        SAFETY_HOUSING_INCLUSION = (
            "safety-housing-social-inclusion",
            _("Safety, Housing and Social Inclusion"),
        )

    class Category(models.TextChoices):
        ICT_INFRASTRUCTURE = "ict-infrastructure", _("ICT Infrastructure")
        WATER_SANITATION = "water-sanitation", _("Water and Sanitation")
        DRAINAGE = "drainage", _("Drainage")
        ELECTRICITY_SUPPLY = "electricity-supply", _("Electricity Supply")
        TRANSPORT = "transport", _("Transport")
        PUBLIC_SECTOR = "public-sector", _("Public Sector")
        INNOVATION = "innovation", _("Innovation")
        EMPLOYMENT = "employment", _("Employment")
        WASTE = "waste", _("Waste")
        BUILDINGS = "buildings", _("Buildings")
        URBAN_PLANNING = "urban-planning", _("Urban Planning")
        AIR_QUALITY = "air-quality", _("Air Quality")
        ENVIRONMENTAL_QUALITY = "environmental-quality", _("Environmental Quality")
        PUBLIC_SPACE_NATURE = "public-space-nature", _("Public Space and Nature")
        ENERGY = "energy", _("Energy")
        EDUCATION = "education", _("Education")
        HEALTH = "health", _("Health")
        CULTURE = "culture", _("Culture")
        HOUSING = "housing", _("Housing")
        SOCIAL_INCLUSION = "social-inclusion", _("Social Inclusion")
        SAFETY = "safety", _("Safety")
        FOOD_SECURITY = "food-security", _("Food Security")

    class Tier(models.TextChoices):
        CORE = "core", _("core")
        ADVANCED = "advanced", _("advanced")

    class Kind(models.TextChoices):
        SMART = "smart", _("smart")
        SUSTAINABLE = "sustainable", _("sustainable")

    code = models.CharField(_("code"), max_length=40, unique=True)
    slug = models.SlugField(_("web address"), max_length=60, unique=True)
    framework = models.CharField(
        _("framework"), max_length=20, choices=Framework.choices, default=Framework.U4SSC
    )
    definition_be = models.TextField(_("definition in Belarusian"), blank=True)
    definition_ru = models.TextField(_("definition in Russian"), blank=True)
    definition_en = models.TextField(_("definition in English"), blank=True)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    sub_dimension = models.CharField(
        _("sub-dimension"), max_length=40, choices=SubDimension.choices
    )
    category = models.CharField(_("category"), max_length=40, choices=Category.choices)
    tier = models.CharField(_("core or advanced"), max_length=10, choices=Tier.choices)
    # Blank where the ITU classification could not be checked against the methodology itself.
    kind = models.CharField(
        _("smart or sustainable"), max_length=12, choices=Kind.choices, blank=True
    )
    unit_be = models.CharField(_("unit in Belarusian"), max_length=100)
    unit_ru = models.CharField(_("unit in Russian"), max_length=100)
    unit_en = models.CharField(_("unit in English"), max_length=100)
    higher_is_better = models.BooleanField(_("higher is better"), null=True, blank=True)
    sdg_targets = ArrayField(
        models.CharField(max_length=20), verbose_name=_("SDG targets"), default=list, blank=True
    )
    # Named sub-series (e.g. pollutants of air pollution); values may carry one of these.
    subseries = ArrayField(
        models.CharField(max_length=40), verbose_name=_("sub-series"), default=list, blank=True
    )
    catalogue_source = models.CharField(_("catalogue source"), max_length=300, blank=True)

    class Meta:
        ordering = ["framework", "dimension", "sub_dimension", "category", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        self.slug = code_slug(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("indicators:detail", args=[self.slug])

    @property
    def definition(self):
        return translated(self, "definition")

    @property
    def unit(self):
        return translated(self, "unit")

    @property
    def value_range(self):
        """(lowest, highest) a value may take, from the unit: percentages 0-100, yes/no 0 or 1,
        a coefficient 0-1, every other quantity of the catalogue (counts, rates, amounts) 0 or
        more (None: no upper bound)."""
        return VALUE_RANGES.get(self.unit_en, (0, None))


# Units (unit_en) whose values are bounded above; see Indicator.value_range.
VALUE_RANGES = {"%": (0, 100), "yes/no": (0, 1), "coefficient (0–1)": (0, 1)}


# Sources the demo's figures cite (cities/indicators/data), said in the reader's language.
KNOWN_SOURCES = {
    "Sample data for demonstration, not an official figure": _(
        "Sample data for demonstration, not an official figure"
    ),
}


class IndicatorValue(models.Model):
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="indicator_values", verbose_name=_("city")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # "" is the headline value; otherwise one of indicator.subseries.
    subseries = models.CharField(_("sub-series"), max_length=40, blank=True, default="")
    value = models.FloatField(_("value"))
    source = models.CharField(
        _("source"),
        max_length=500,
        help_text=_("Where the figure comes from: a publication, a statistics office, a report."),
    )
    verified = models.BooleanField(_("verified"), default=False)
    is_sample = models.BooleanField(
        _("sample data"), default=False, help_text=_("Demonstration figure, not an official one.")
    )
    # A computed value's method in words: `method` in English (the API and CSV), and in the
    # other languages for their pages (method_text).
    method = models.TextField(_("method"), blank=True)
    method_be = models.TextField(_("method (Belarusian)"), blank=True)
    method_ru = models.TextField(_("method (Russian)"), blank=True)
    approximate = models.BooleanField(_("approximation"), default=False)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["indicator", "city", "subseries", "year"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["city", "indicator", "year", "subseries"],
                name="indicator_value_unique_city_indicator_year",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1900, year__lte=2100), name="indicator_value_year_range"
            ),
        ]

    def __str__(self):
        series = f" [{self.subseries}]" if self.subseries else ""
        return f"{self.indicator.code}{series} {self.city.name} {self.year}: {localize(self.value)}"

    @property
    def is_computed(self):
        return self.source == COMPUTED

    @property
    def method_text(self):
        """The method in the active language."""
        return {"be": self.method_be, "ru": self.method_ru}.get(current_language()) or self.method

    @property
    def source_text(self):
        """The source in the active language where the portal knows it (its demo's samples)."""
        return str(KNOWN_SOURCES.get(self.source, self.source))

    def clean(self):
        if self.indicator_id is None or self.value is None:
            return
        low, high = self.indicator.value_range
        if self.value < low or (high is not None and self.value > high):
            unit = self.indicator.unit
            message = (
                _("%(indicator)s is measured in %(unit)s: the value must be from %(low)s to "
                  "%(high)s.")
                if high is not None
                else _("%(indicator)s is measured in %(unit)s: the value cannot be below %(low)s.")
            )  # fmt: skip
            raise ValidationError(
                {
                    "value": message
                    % {"indicator": self.indicator.name, "unit": unit, "low": low, "high": high}
                }  # fmt: skip
            )


class Target(models.Model):
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="indicator_targets", verbose_name=_("city")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"))
    baseline_value = models.FloatField(_("baseline value"))
    target_year = models.PositiveSmallIntegerField(_("target year"))
    target_value = models.FloatField(_("target value"))
    source = models.CharField(_("source"), max_length=500, blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        ordering = ["indicator", "city"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["city", "indicator"], name="target_unique_city"),
            models.CheckConstraint(
                condition=Q(target_year__gt=models.F("baseline_year")),
                name="target_after_baseline",
            ),
        ]

    def __str__(self):
        target = localize(self.target_value)
        return f"{self.indicator.code} {self.city.name} {self.target_year}: {target}"

    def progress(self, value):
        """Share of the way from baseline to target (0..1, may overshoot), or None."""
        span = self.target_value - self.baseline_value
        if span == 0:
            return None
        return (value - self.baseline_value) / span
