"""Finding services: the filters of the API, the page and the city page, the nearest search and
"open now". Views parse their parameters into a ServiceQuery and call it; tests call it directly.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.contrib.gis.db import models
from django.contrib.gis.geos import Point, Polygon
from django.db import connection
from django.db.models import BooleanField, Count, FloatField, Func, Q, Value
from django.utils import timezone
from opening_hours import OpeningHours, ParserError

from ..models import City, ServiceCategory, ServiceLocation

# Opening hours are read in the city's own time and with Belarus' public holidays ("PH off").
SERVICE_TIMEZONE = ZoneInfo("Europe/Minsk")
SERVICE_COUNTRY = "BY"
# The nearest search takes this many candidates per wanted result from the KNN index (which
# orders by distance on the sphere) and then orders them by the exact distance on the spheroid.
KNN_CANDIDATES = 2
KNN_EXTRA = 10


class Geography(Func):
    template = "(%(expressions)s)::geography"
    output_field = models.PointField(geography=True)


class KNNDistance(Func):
    """The KNN operator `<->`: an ORDER BY on it walks the GiST index nearest first."""

    arg_joiner = " <-> "
    template = "%(expressions)s"
    output_field = FloatField()


class GeographyDistance(Func):
    function = "ST_Distance"
    output_field = FloatField()


class GeographyDWithin(Func):
    function = "ST_DWithin"
    output_field = BooleanField()


def _geography(point):
    return Geography(Value(Point(*point, srid=4326), output_field=models.PointField(srid=4326)))


@lru_cache(maxsize=4096)
def _opening_hours(expression):
    return OpeningHours(expression, timezone=SERVICE_TIMEZONE, country=SERVICE_COUNTRY)


def open_state(expression, at=None):
    """True (open), False (closed) or None (no hours, or the hours say "unknown") at `at`."""
    if not expression:
        return None
    at = (at or timezone.now()).astimezone(SERVICE_TIMEZONE)
    try:
        hours = _opening_hours(expression)
    except (ParserError, SyntaxError, ValueError):
        return None
    if hours.is_unknown(at):
        return None
    return hours.is_open(at)


def open_expressions(queryset, at=None):
    """The distinct opening_hours texts of `queryset` that say open at `at`: the open-now filter
    parses each distinct text once (services share a handful of them), not each row."""
    texts = queryset.exclude(opening_hours="").values_list("opening_hours", flat=True).distinct()
    return [text for text in texts.order_by() if open_state(text, at)]


def category_ids(slugs):
    """Ids of the categories named by slug and of all their descendants."""
    ids = set()
    for category in ServiceCategory.objects.filter(slug__in=slugs):
        ids |= category.with_descendants()
    return ids


@dataclass
class ServiceQuery:
    """Which services: by category (with its children), city, bbox, text, open now, wheelchair
    access; and, with `near` (lon, lat), the `limit` nearest within `radius` metres, each with
    `distance_m`, ordered by distance."""

    categories: list[str] = field(default_factory=list)
    city: City | None = None
    bbox: Polygon | None = None
    q: str = ""
    open_now: bool | None = None
    wheelchair: list[str] = field(default_factory=list)
    near: tuple[float, float] | None = None
    radius: float | None = None
    limit: int = 10
    at: datetime | None = None

    def filtered(self):
        qs = ServiceLocation.objects.all()
        if self.categories:
            qs = qs.filter(category_id__in=category_ids(self.categories))
        if self.city is not None:
            qs = qs.filter(city=self.city)
        if self.bbox is not None:
            qs = qs.filter(location__intersects=self.bbox)
        if self.q:
            words = Q()
            for name in ["name_be", "name_ru", "name_en", "address"]:
                words |= Q(**{f"{name}__unaccent__icontains": self.q})
            qs = qs.filter(words)
        if self.wheelchair:
            qs = qs.filter(wheelchair__in=self.wheelchair)
        if self.near is not None and self.radius is not None:
            qs = qs.filter(self._within_radius())
        if self.open_now is not None:
            is_open = Q(opening_hours__in=open_expressions(qs, self.at))
            qs = qs.filter(is_open if self.open_now else ~is_open)
        return qs

    def queryset(self):
        qs = self.filtered().select_related("category", "city")
        qs = qs.defer("city__boundary", "city__location")
        if self.near is None:
            return qs.order_by("id")
        here = _geography(self.near)
        knn = KNNDistance(Geography("location"), here)
        candidates = (
            self.filtered().order_by(knn).values("pk")[: self.limit * KNN_CANDIDATES + KNN_EXTRA]
        )
        distance = GeographyDistance(Geography("location"), here)
        return (
            ServiceLocation.objects.filter(pk__in=candidates)
            .select_related("category", "city")
            .defer("city__boundary", "city__location")
            .annotate(distance_m=distance)
            .order_by("distance_m", "id")[: self.limit]
        )

    def _within_radius(self):
        """ST_DWithin on geography (metres); the geography GiST index answers it."""
        return GeographyDWithin(Geography("location"), _geography(self.near), Value(self.radius))


def city_service_groups(city, listed=50):
    """The city's services by category: [(category, count, first `listed` by name)]."""
    groups = []
    services = ServiceLocation.objects.filter(city=city)
    counts = dict(services.values_list("category").annotate(n=Count("id")).order_by())
    for category in ServiceCategory.objects.filter(pk__in=counts):
        first = services.filter(category=category).order_by("name_be", "id")[:listed]
        groups.append((category, counts[category.pk], list(first)))
    return groups


def city_for_point(point: Point):
    """(city id or None, basis) that the database will assign to a service at `point`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT city_id, basis FROM cities_service_city(ST_GeomFromEWKB(%s))",
            [bytes(point.ewkb)],
        )
        return cursor.fetchone()
