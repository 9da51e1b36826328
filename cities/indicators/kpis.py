"""KPIs computed in PostGIS from what is on the map, stored as IndicatorValue with source
"computed", the date, and the method in words.

The computations are listed in settings.KPI_COMPUTATIONS: each takes a city and returns a
Computation, or a Skip saying why the data do not allow the figure (or a list of them). Those
that need map layers live with the layers (layers/kpis.py), so this app never imports them.

Convention (docs/indicators.md): public transport stops are the city services of the categories
TRANSPORT_STOP_CATEGORIES and their subcategories."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import formats, timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from ..models import City, Indicator, IndicatorValue, ServiceCategory, ServiceLocation
from ..models.indicators import COMPUTED
from ..models.services import SERVICE_NEAR_CITY_KM
from ..services.query import category_ids

TRANSPORT_CONVENIENCE = "EC: I: T: 2A"
TRANSPORT_STOP_CATEGORIES = ["public-transport-stop", "railway-station"]
WALK_METRES = 500
# The portal's count-based indicators: GP: SV: <CATEGORY SLUG> (cities/data/geoportal_kpis.csv).
SERVICES_PREFIX = "GP: SV: "


@dataclass
class Computation:
    code: str
    value: float
    # The method in words, {language: text}, for the pages of each language (in_languages()).
    methods: dict
    approximate: bool = False

    @property
    def method(self):
        return self.methods["en"]


def in_languages(build):
    """{language: build()} with each of the portal's languages active in turn: a method said in
    Belarusian, Russian and English, numbers and names included."""
    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            texts[language] = str(build())
    return texts


def number(value, decimals=0):
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


@dataclass
class Skip:
    code: str
    reason: str


@dataclass
class Report:
    saved: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def population_phrase(city):
    """In the active language."""
    year = f" ({city.population_year})" if city.population_year else ""
    return _("population %(population)s%(year)s, %(source)s") % {
        "population": number(city.population), "year": year,
        "source": city.population_source or _("source not given"),
    }  # fmt: skip


def category_names(slugs):
    """The categories' names in the active language, in the order given."""
    names = {c.slug: c.name for c in ServiceCategory.objects.filter(slug__in=slugs)}
    return ", ".join(f"“{names.get(slug, slug)}”" for slug in slugs)


def transport_convenience(city):
    """EC: I: T: 2A, % of the population within 0.5 km of a public transport stop.

    With no population grid on the portal, the population is taken as spread evenly over the
    city boundary, so the share of the population is the share of the boundary's area within
    500 m of a stop. Without a published boundary there is nothing to take the share of."""
    if not city.has_boundary:
        return Skip(TRANSPORT_CONVENIENCE, "the city boundary is not published")
    categories = sorted(category_ids(TRANSPORT_STOP_CATEGORIES))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH c AS (SELECT boundary FROM cities_city WHERE id = %(city)s),
            stops AS (
                SELECT s.location FROM cities_servicelocation s, c
                WHERE s.category_id = ANY(%(categories)s)
                  AND s.location && ST_Expand(c.boundary, 0.01)
                  AND ST_DWithin(s.location::geography, c.boundary::geography, %(metres)s)
            ),
            reach AS (
                SELECT ST_Union(ST_Buffer(location::geography, %(metres)s)::geometry) AS geom,
                       count(*) AS n
                FROM stops
            )
            SELECT reach.n,
                   COALESCE(ST_Area(ST_Intersection(c.boundary, reach.geom)::geography), 0)
                   / ST_Area(c.boundary::geography) * 100.0
            FROM reach, c
            """,
            {"city": city.id, "categories": categories, "metres": WALK_METRES},
        )
        stops, share = cursor.fetchone()
    if not stops:
        return Skip(TRANSPORT_CONVENIENCE, "no public transport stops on the map for this city")

    def method():
        text = _(
            "Approximation: no population grid is published, so inhabitants are taken as "
            "spread evenly over the city boundary (%(boundary_source)s). Share of the boundary's "
            "area within %(metres)s m (geodesic) of the %(stops)s stops of the categories "
            "%(categories)s on the map."
        )
        return text % {
            "boundary_source": city.boundary_source, "metres": WALK_METRES,
            "stops": number(stops), "categories": category_names(TRANSPORT_STOP_CATEGORIES),
        }  # fmt: skip

    methods = in_languages(method)
    return Computation(TRANSPORT_CONVENIENCE, share or 0.0, methods, approximate=True)


def services_per_100k(city):
    """Every GP: SV: indicator of the catalogue for the city."""
    indicators = Indicator.objects.filter(code__startswith=SERVICES_PREFIX)
    return [service_count_per_100k(city, indicator) for indicator in indicators]


def service_count_per_100k(city, indicator):
    """GP: SV: <slug>, services of a category (with its subcategories) per 100,000 inhabitants.

    A service counts for the city the database assigned it to: the city whose boundary holds
    it, else the nearest city without a published boundary (cities/models/services.py)."""
    slug = indicator.code.removeprefix(SERVICES_PREFIX).lower()
    if not city.population:
        return Skip(indicator.code, "the city's population is not known")
    categories = category_ids([slug])
    if not categories:
        return Skip(indicator.code, f"no service category “{slug}”")
    count = ServiceLocation.objects.filter(city=city, category_id__in=categories).count()
    if not count:
        # An empty category means nothing was imported yet far more often than a true zero.
        return Skip(indicator.code, f"no services of the category “{slug}” on the map")

    def method():
        basis = (
            _("inside its published boundary")
            if city.has_boundary
            else _(
                "nearest to its point within %(km)s km (no published boundary: an approximation "
                "of the city limits)"
            )
            % {"km": SERVICE_NEAR_CITY_KM}
        )
        return _(
            "%(count)s services of the category %(category)s and its subcategories on the map, "
            "assigned to the city %(basis)s; divided by the %(population)s, times 100,000. "
            "Counts only what has been put on the map."
        ) % {
            "count": number(count), "category": category_names([slug]), "basis": basis,
            "population": population_phrase(city),
        }  # fmt: skip

    return Computation(indicator.code, count / city.population * 100_000, in_languages(method),
                       approximate=not city.has_boundary)  # fmt: skip


def compute_city(city):
    """Every computed KPI for one city (settings.KPI_COMPUTATIONS): Computations and Skips."""
    results = []
    for path in settings.KPI_COMPUTATIONS:
        result = import_string(path)(city)
        results += result if isinstance(result, list) else [result]
    return results


@transaction.atomic
def recompute(cities=None, now=None):
    """Compute and store this year's computed values for the cities (all by default).

    A figure from a cited source for the same city, indicator and year is never overwritten;
    a computed figure that can no longer be computed is removed."""
    now = now or timezone.now()
    year = timezone.localtime(now).year
    cities = City.objects.all() if cities is None else cities
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    report = Report()
    for city in cities:
        for result in compute_city(city):
            indicator = indicators.get(result.code)
            if indicator is None:
                report.skipped.append((city, Skip(result.code, "not in the catalogue")))
                continue
            key = {"city": city, "indicator": indicator, "year": year, "subseries": ""}
            existing = IndicatorValue.objects.filter(**key).first()
            if existing and existing.source != COMPUTED:
                report.skipped.append(
                    (city, Skip(result.code, "a cited value for this year is already recorded"))
                )
                continue
            if isinstance(result, Skip):
                if existing:
                    existing.delete()
                report.skipped.append((city, result))
                continue
            value, _ = IndicatorValue.objects.update_or_create(
                **key,
                defaults={
                    "value": result.value,
                    "source": COMPUTED,
                    "method": result.methods["en"],
                    "method_be": result.methods["be"],
                    "method_ru": result.methods["ru"],
                    "approximate": result.approximate,
                    "computed_at": now,
                    "verified": False,
                    "is_sample": False,
                },
            )
            report.saved.append(value)
    return report
