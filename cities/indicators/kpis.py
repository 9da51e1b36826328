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
from django.utils import timezone
from django.utils.module_loading import import_string

from ..models import City, Indicator, IndicatorValue, ServiceLocation
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
    method: str
    approximate: bool = False


@dataclass
class Skip:
    code: str
    reason: str


@dataclass
class Report:
    saved: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def population_phrase(city):
    year = f" ({city.population_year})" if city.population_year else ""
    return f"population {city.population:,}{year}, {city.population_source or 'source not given'}"


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
    method = (
        f"Approximation: no population grid is published, so inhabitants are taken as spread "
        f"evenly over the city boundary ({city.boundary_source}). Share of the boundary's area "
        f"within {WALK_METRES} m (geodesic) of the {stops:,} stops of the categories "
        f"{', '.join(TRANSPORT_STOP_CATEGORIES)} on the map."
    )
    return Computation(TRANSPORT_CONVENIENCE, share or 0.0, method, approximate=True)


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
    basis = (
        "inside its published boundary"
        if city.has_boundary
        else f"nearest to its point within {SERVICE_NEAR_CITY_KM} km (no published boundary: "
        "an approximation of the city limits)"
    )
    method = (
        f"{count:,} services of the category “{slug}” and its subcategories on the map, "
        f"assigned to the city {basis}; divided by the {population_phrase(city)}, times "
        f"100,000. Counts only what has been put on the map."
    )
    return Computation(indicator.code, count / city.population * 100_000, method,
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
                    "method": result.method,
                    "approximate": result.approximate,
                    "computed_at": now,
                    "verified": False,
                    "is_sample": False,
                },
            )
            report.saved.append(value)
    return report
