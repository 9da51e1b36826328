"""The ranked search: trigram word similarity (pg_trgm, on the GIN index) of the folded query
against each entry's folded terms, then, in this order of weight: an exact name before a
beginning of a name before a fuzzy match, a city before a hamlet (the entry's weight), and the
nearer the map's centre the better."""

from dataclasses import dataclass

from django.db import connection, transaction

from geoportal.languages import switched_path
from geoportal.transliteration import search_forms
from layers.models import Feature
from layers.permissions import visible_layers

from .models import Entry
from .sources import KIND_LABELS

MAX_QUERY = 100
MIN_QUERY = 2
# A word of the query matching a word of a name at least this well (0..1) is a candidate.
THRESHOLD = 0.45
# A feature of a layer carrying the same name within this distance (degrees) of a city found
# is that city again (the settlements layer has each city too).
SAME_PLACE_DEGREES = 0.15

# The candidates come from the trigram index first (a materialised step: with the other
# conditions beside it the planner would rather scan the table, ten times slower).
RANKED = """
WITH candidates AS MATERIALIZED (
  SELECT id, weight, terms, location, layer_id FROM search_entry
  WHERE %(a)s <%% terms OR %(b)s <%% terms
)
SELECT id FROM candidates
WHERE layer_id IS NULL OR layer_id = ANY(%(layers)s)
ORDER BY GREATEST(word_similarity(%(a)s, terms), word_similarity(%(b)s, terms))
  + 0.6 * (position(%(exact_a)s in terms) > 0 OR position(%(exact_b)s in terms) > 0)::int
  + 0.3 * (position(%(start_a)s in terms) > 0 OR position(%(start_b)s in terms) > 0)::int
  + 0.5 * weight
  - 0.2 * (CASE WHEN %(lon)s::float IS NULL THEN 0 ELSE LEAST(ST_Distance(location,
           ST_SetSRID(ST_MakePoint(%(lon)s::float, %(lat)s::float), 4326)) / 6.0, 1) END)
  DESC, id
LIMIT %(limit)s
"""


@dataclass
class Search:
    text: str
    user: object
    centre: tuple[float, float] | None = None
    limit: int = 10

    def forms(self):
        forms = [f for f in search_forms(self.text[:MAX_QUERY]) if len(f) >= MIN_QUERY]
        return (forms + forms)[:2] if forms else []

    def entries(self):
        forms = self.forms()
        if not forms:
            return []
        a, b = forms
        lon, lat = self.centre or (None, None)
        layers = list(visible_layers(self.user).values_list("pk", flat=True))
        params = {
            "a": a, "b": b, "exact_a": f"| {a} |", "exact_b": f"| {b} |",
            "start_a": f"| {a}", "start_b": f"| {b}", "lon": lon, "lat": lat,
            "layers": layers, "limit": self.limit * 2,
        }  # fmt: skip
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(THRESHOLD)]
            )
            cursor.execute(RANKED, params)
            ids = [row[0] for row in cursor.fetchall()]
        found = Entry.objects.select_related("layer").in_bulk(ids)
        return _without_repeats([found[i] for i in ids if i in found])[: self.limit]


def _without_repeats(entries):
    """Drops a layer's feature that is a city already found (same name, same place)."""
    cities = [e for e in entries if e.kind == "city"]
    kept = []
    for entry in entries:
        repeat = entry.kind == "feature" and any(
            city.name_be == entry.name_be or city.name_ru == entry.name_ru
            for city in cities
            if city.location.distance(entry.location) < SAME_PLACE_DEGREES
        )
        if not repeat:
            kept.append(entry)
    return kept


def results(entries, language):
    """The entries as the API answers them; a feature with its properties, for its popup."""
    feature_ids = [int(e.key) for e in entries if e.kind == "feature"]
    properties = dict(Feature.objects.filter(id__in=feature_ids).values_list("id", "properties"))
    answer = []
    for entry in entries:
        item = as_json(entry, language)
        if entry.kind == "feature":
            item["properties"] = properties.get(int(entry.key), {})
        answer.append(item)
    return answer


def as_json(entry, language):
    """What the search box shows and needs to fly there and open the popup."""
    layer = entry.layer
    return {
        "kind": entry.kind,
        "kind_label": str(KIND_LABELS[entry.kind]),
        "id": entry.key,
        "name": entry.name,
        "detail": entry.detail,
        "url": switched_path(entry.url, language) if entry.url else "",
        "lon": entry.location.x,
        "lat": entry.location.y,
        "bbox": list(entry.extent.extent) if entry.extent else None,
        "layer": layer.slug if layer else None,
    }
