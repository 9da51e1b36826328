"""The computed KPIs that need map layers (listed in settings.KPI_COMPUTATIONS beside those of
cities/indicators/kpis.py, which cannot import the layers it stands under).

Convention (docs/indicators.md): green areas come from the published public layers tagged with
the keyword GREEN_AREAS_KEYWORD; only their polygons count."""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from cities.indicators.kpis import Computation, Skip, in_languages, number, population_phrase

from .permissions import visible_layers

GREEN_AREAS_KEYWORD = "green-areas"
GREEN_AREAS = "EN: EN: PSN: 1C"


def green_areas(city):
    """EN: EN: PSN: 1C, hectares of green area per 100,000 inhabitants."""
    if not city.population:
        return Skip(GREEN_AREAS, "the city's population is not known")
    layers = visible_layers(AnonymousUser()).filter(keywords__contains=[GREEN_AREAS_KEYWORD])
    clip = city.has_boundary
    layers = (
        layers.filter(Q(city=city) | Q(city__isnull=True)) if clip else layers.filter(city=city)
    )
    layer_ids = list(layers.values_list("id", flat=True))
    if not layer_ids:
        return Skip(GREEN_AREAS, f"no public layer tagged “{GREEN_AREAS_KEYWORD}” for this city")
    # Overlapping polygons are unioned so that no hectare counts twice; areas on the ellipsoid.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH green AS (
                SELECT ST_Union(ST_MakeValid(f.geom)) AS geom
                FROM layers_feature f, cities_city c
                WHERE c.id = %(city)s AND f.layer_id = ANY(%(layers)s)
                  AND ST_Dimension(f.geom) = 2
                  AND (NOT %(clip)s OR ST_Intersects(f.geom, c.boundary))
            )
            SELECT COALESCE(ST_Area((CASE WHEN %(clip)s
                       THEN ST_Intersection(green.geom, c.boundary)
                       ELSE green.geom END)::geography), 0) / 10000.0
            FROM green, cities_city c WHERE c.id = %(city)s
            """,
            {"city": city.id, "layers": layer_ids, "clip": clip},
        )
        hectares = cursor.fetchone()[0] or 0.0

    def method():
        names = ", ".join(f"“{layer.title or layer.slug}”" for layer in layers)
        where = (
            _("clipped to the published city boundary")
            if clip
            else _(
                "not clipped: the city boundary is not published, so the layer is trusted to "
                "cover the city only"
            )
        )
        return _(
            "Area of the union of the polygons of the layers %(layers)s (%(hectares)s ha, "
            "geodesic), %(where)s; divided by the %(population)s, times 100,000."
        ) % {
            "layers": names, "hectares": number(hectares, 2), "where": where,
            "population": population_phrase(city),
        }  # fmt: skip

    return Computation(
        GREEN_AREAS, hectares / city.population * 100_000, in_languages(method), not clip
    )
