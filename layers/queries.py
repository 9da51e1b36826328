"""The one feature query: the REST API, the OGC API and the downloads all select a layer's features
here, and all build GeoJSON the same way, in PostGIS (ST_AsGeoJSON), not through Python geometries.
"""

import json
from dataclasses import dataclass, field

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import Polygon
from django.db.models import Q, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.db.models.lookups import Exact

from .models import Feature, Layer

# 7 decimals of a degree is about 1 cm: more is noise, fewer loses survey precision.
GEOJSON_PRECISION = 7


@dataclass
class FeatureQuery:
    """Which features of a layer: a bbox (EPSG:4326), equality filters on properties, and any
    further Q() (an OGC API filter, say). Always ordered by id, so that pages are stable."""

    layer: Layer
    bbox: Polygon | None = None
    properties: dict[str, str] = field(default_factory=dict)
    extra: Q = field(default_factory=Q)

    def queryset(self):
        qs = Feature.objects.filter(layer=self.layer)
        if self.bbox is not None:
            qs = qs.filter(geom__bboverlaps=self.bbox).filter(geom__intersects=self.bbox)
        for name, value in self.properties.items():
            # properties ->> name = value, compared as text whatever the JSON type; the key is
            # passed as a parameter, never spliced into SQL.
            qs = qs.filter(Exact(KeyTextTransform(name, "properties"), str(value)))
        return qs.filter(self.extra).order_by("id")

    def count(self):
        return self.queryset().count()

    def geojson_features(self, *, offset=0, limit=None, select=None, chunk_size=2000):
        """Each feature as GeoJSON text, built in PostGIS; `select` keeps only those properties."""
        qs = self.queryset()
        if limit is not None:
            qs = qs[offset : offset + limit]
        elif offset:
            qs = qs[offset:]
        rows = qs.annotate(
            geometry_json=AsGeoJSON("geom", precision=GEOJSON_PRECISION),
            properties_json=Cast("properties", TextField()),
        ).values_list("id", "geometry_json", "properties_json")
        for fid, geometry, properties in rows.iterator(chunk_size=chunk_size):
            if select is not None:
                properties = json.dumps(
                    {k: v for k, v in json.loads(properties).items() if k in select},
                    ensure_ascii=False,
                )
            yield f'{{"type":"Feature","id":{fid},"geometry":{geometry},"properties":{properties}}}'
