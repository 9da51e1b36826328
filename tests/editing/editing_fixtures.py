"""The editing tests' fixtures (each module imports them): sample stops of Brest and Pinsk."""

import pytest
from django.contrib.gis.geos import Point

# Synthetic sample points in Brest and Pinsk (test data, not real places).
BREST_STOPS = [
    (23.6850, 52.0976, "Stop A", 12, "bus"),
    (23.7000, 52.0900, "Stop B", 4, "tram"),
    (23.7200, 52.1000, "Stop C", 7, "bus"),
]
__all__ = ["brest_stops", "city_layer", "pinsk_stops"]
ATTRIBUTES = [
    {"name": "name", "type": "string"},
    {"name": "routes", "type": "integer"},
    {"name": "kind", "type": "string"},
    {"name": "opened", "type": "date"},
]


@pytest.fixture
def city_layer(ready_layer, demo):
    """city_layer("brest") -> a public point layer of three sample stops of that city."""
    from cities.models import City
    from layers.models import Layer, LayerVersion

    def make(city_slug, slug=None, points=BREST_STOPS, **fields):
        city = City.objects.get(slug=city_slug)
        dx, dy = (0, 0) if city_slug == "brest" else (city.location.x - 23.685,
                                                     city.location.y - 52.0976)  # fmt: skip
        features = [
            (Point(lon + dx, lat + dy, srid=4326),
             {"name": name, "routes": routes, "kind": kind, "opened": None})
            for lon, lat, name, routes, kind in points
        ]  # fmt: skip
        layer = ready_layer(
            slug or f"{city_slug}-stops", features, attributes=ATTRIBUTES, city=city,
            title_en=f"Stops of {city_slug} (sample)", geometry_type="Point",
            attribute_choices={"kind": ["bus", "tram", "trolleybus"]}, **fields,
        )  # fmt: skip
        # Its version 1, as an import would have recorded it.
        LayerVersion.objects.create(
            layer=layer, number=1, status=Layer.Status.READY, source_filename="stops.geojson",
            report={"read": 3, "imported": 3, "repaired": 0, "skipped": 0},
        )  # fmt: skip
        return layer

    return make


@pytest.fixture
def brest_stops(city_layer):
    return city_layer("brest")


@pytest.fixture
def pinsk_stops(city_layer):
    return city_layer("pinsk")
