"""The demo layer comes through the same pipeline, with its ODbL attribution."""

from layers import demo
from layers.models import Layer


def test_osm_settlements_demo_layer(db):
    demo.load()
    layer = Layer.objects.get(slug="osm-settlements-belarus")
    assert (layer.status, layer.feature_count, layer.geometry_type) == ("ready", 22477, "Point")
    assert layer.is_public
    assert layer.licence == "ODbL 1.0"
    assert "OpenStreetMap" in layer.attribution
    assert layer.features.filter(properties__name_be="Мушычы").exists()
    demo.load()  # idempotent: a second run keeps the import
    assert Layer.objects.get(slug="osm-settlements-belarus").version == 1
