"""Demo layers: real open data imported through the same pipeline as planners' uploads."""

from pathlib import Path

from .imports.queue import import_now
from .models import Layer, TopicCategory

DATA_DIR = Path(__file__).resolve().parent / "data"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"

SETTLEMENTS = {
    "slug": "osm-settlements-belarus",
    "file": "osm_hotosm_settlements_belarus_wkt.csv",
    "defaults": {
        "title_be": "Населеныя пункты Беларусі (OpenStreetMap)",
        "title_ru": "Населённые пункты Беларуси (OpenStreetMap)",
        "title_en": "Settlements of Belarus (OpenStreetMap)",
        "abstract_be": "22 477 гарадоў, вёсак і хутароў Беларусі з OpenStreetMap "
        "(экспарт Humanitarian OpenStreetMap Team).",
        "abstract_ru": "22 477 городов, деревень и хуторов Беларуси из OpenStreetMap "
        "(экспорт Humanitarian OpenStreetMap Team).",
        "abstract_en": "22,477 cities, towns, villages and hamlets of Belarus from "
        "OpenStreetMap (Humanitarian OpenStreetMap Team export).",
        "keywords": ["settlements", "OpenStreetMap", "Belarus"],
        "topic_category": TopicCategory.LOCATION,
        "licence": "ODbL 1.0",
        "attribution": OSM_ATTRIBUTION,
        "is_public": True,
    },
}


def load(stdout=None):
    """Import the demo layers that are not there yet (idempotent)."""
    layer, _created = Layer.objects.update_or_create(
        slug=SETTLEMENTS["slug"], defaults=SETTLEMENTS["defaults"]
    )
    if layer.status == Layer.Status.READY and layer.feature_count:
        return
    import_now(layer, DATA_DIR / SETTLEMENTS["file"])
    if stdout is not None:
        layer.refresh_from_db()
        stdout.write(f"layers: {layer.slug} imported, {layer.feature_count} features")
