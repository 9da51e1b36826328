"""Mapbox vector tiles of a layer, built in PostGIS and cached.

The tile envelope (EPSG:3857) is transformed to the features' EPSG:4326, never the other way
round, so that `layer_id = .. AND geom && envelope` is answered by the (layer, geom) GiST index.
Lines and polygons are simplified to about half a screen pixel of the tile's zoom before they are
projected; below zoom 12 points are thinned to one per 4x4 screen pixels, so that a tile of a
million-point layer stays small enough to draw. Each tile is cached under a key holding the
layer's version and last update, so a re-import or an edit invalidates its tiles at once.

A cached tile of a public layer costs no database query: a small TileAccess record per layer slug
(id, public flag, cache version) sits in the cache beside the tiles and is dropped whenever the
layer is saved or deleted (signals wired in apps.py). Private layers go through
permissions.visible_layers on every request.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import pre_save
from django.urls import reverse

from .models import Layer
from .permissions import visible_layers
from .styles import geometry_family

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 22
# Below this zoom a tile of a dense point layer covers too many points to draw one by one.
POINT_THINNING_BELOW_ZOOM = 12
POINT_THINNING_GRID = 64  # MVT units: 4096 / 64 = one point per 4 px of a 256 px tile
MVT_CONTENT_TYPE = "application/vnd.mapbox-vector-tile"


class TileOutOfRange(ValueError):
    pass


@dataclass(frozen=True)
class TileRequest:
    z: int
    x: int
    y: int

    def __post_init__(self):
        if not 0 <= self.z <= MAX_ZOOM or not (0 <= self.x < 2**self.z and 0 <= self.y < 2**self.z):
            raise TileOutOfRange(f"no tile {self.z}/{self.x}/{self.y}")


def simplify_tolerance(z):
    """Half a pixel of a 256 px tile at zoom z, in degrees of longitude."""
    return 360.0 / (2**z * 256) / 2


def tile_sql(layer, tile):
    """The one ST_AsMVT query of a tile (the view runs it; bench/tiles.py times it raw)."""
    family = geometry_family(layer.geometry_type)
    geom = "f.geom"
    if family in ("line", "polygon"):
        geom = f"ST_Simplify(f.geom, {simplify_tolerance(tile.z)!r}, true)"
    rows = f"""
        SELECT f.id, f.properties,
               ST_AsMVTGeom(ST_Transform({geom}, 3857), b.envelope, {EXTENT}, {BUFFER}, true)
                 AS geom
        FROM layers_feature f, bounds b
        WHERE f.layer_id = %(layer)s AND f.geom && b.search"""
    if family == "point" and tile.z < POINT_THINNING_BELOW_ZOOM:
        rows = f"""
        SELECT DISTINCT ON (ST_SnapToGrid(geom, {POINT_THINNING_GRID})) id, properties, geom
        FROM ({rows}) AS points
        WHERE geom IS NOT NULL"""
    sql = f"""
        WITH bounds AS (
          SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS envelope,
                 ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s,
                                              margin => {BUFFER / EXTENT!r}), 4326) AS search
        ), mvtgeom AS ({rows})
        SELECT ST_AsMVT(mvtgeom, %(name)s, {EXTENT}, 'geom', 'id') FROM mvtgeom"""
    params = {"layer": layer.pk, "z": tile.z, "x": tile.x, "y": tile.y, "name": layer.slug}
    return sql, params


def build_tile(layer, tile):
    sql, params = tile_sql(layer, tile)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        data = cursor.fetchone()[0]
    return bytes(data or b"")


def layer_cache_version(layer):
    """Changes whenever the layer's data may have: a new import (version) or any save (updated)."""
    return f"{layer.version}.{int(layer.updated.timestamp() * 1_000_000)}"


def cache_key(access, tile):
    return f"tile:{access.pk}:{access.cache_version}:{tile.z}/{tile.x}/{tile.y}"


# What a tile needs of its layer; the heavy JSON columns (attributes, report) stay in the database.
TILE_FIELDS = ["id", "slug", "is_public", "version", "updated", "geometry_type"]


@dataclass(frozen=True)
class TileAccess:
    """What serving a layer's tiles needs to know, small enough to cache per slug."""

    pk: int
    slug: str
    # Published and public: anyone may fetch the tiles, and shared caches may keep them.
    is_public: bool
    geometry_type: str
    cache_version: str

    @classmethod
    def of(cls, layer):
        return cls(
            layer.pk,
            layer.slug,
            layer.is_public and layer.version > 0,
            layer.geometry_type,
            layer_cache_version(layer),
        )

    def etag(self, tile):
        return f'"{self.pk}-{self.cache_version}-{tile.z}-{tile.x}-{tile.y}"'


def cache_control(access):
    """Public tiles and TileJSON may sit in shared caches (nginx, a CDN); private ones never."""
    if access.is_public:
        return f"public, max-age={settings.TILE_HTTP_MAX_AGE}"
    return "private, no-store"


def access_key(slug):
    return f"tile-access:{slug}"


def tile_access(user, slug):
    """The TileAccess of the layer `slug` if `user` may see its tiles, else None. A public layer
    is answered from the cache; a private one is checked against the database every time."""
    access = cache.get(access_key(slug))
    if access is None:
        layer = Layer.objects.only(*TILE_FIELDS).filter(slug=slug).first()
        if layer is None:
            return None
        access = TileAccess.of(layer)
        cache.set(access_key(slug), access, settings.TILE_CACHE_SECONDS)
    if access.is_public:
        return access
    layer = visible_layers(user).only(*TILE_FIELDS).filter(slug=slug).first()
    return TileAccess.of(layer) if layer else None


def forget_tile_access(sender, instance, signal, **kwargs):
    """Receiver of the layer's pre_save, post_save and post_delete: drop its cached TileAccess
    (before a save under the slug it had, so a renamed slug stops serving), now and again when
    the transaction commits, so that no request in between re-caches the record as it was."""
    if signal is pre_save:
        if instance.pk is None:
            return
        slugs = list(Layer.objects.filter(pk=instance.pk).values_list("slug", flat=True))
    else:
        slugs = [instance.slug]
    keys = [access_key(slug) for slug in slugs]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def get_tile(access, tile):
    """The tile's bytes (empty for a tile without features), from the cache or PostGIS."""
    key = cache_key(access, tile)
    data = cache.get(key)
    if data is None:
        data = build_tile(access, tile)
        cache.set(key, data, settings.TILE_CACHE_SECONDS)
    return data


def tilejson(layer, tiles_url):
    """TileJSON 3.0.0 describing the layer's tiles; `tiles_url` holds {z}/{x}/{y}."""
    bounds = list(layer.extent.extent) if layer.extent else [-180, -85.0511, 180, 85.0511]
    center_zoom = 12 if layer.extent else 2
    return {
        "tilejson": "3.0.0",
        "name": layer.title,
        "description": layer.abstract,
        "attribution": layer.attribution,
        "version": layer_cache_version(layer),
        "scheme": "xyz",
        "tiles": [tiles_url],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": bounds,
        "center": [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, center_zoom],
        "vector_layers": [
            {
                "id": layer.slug,
                "description": layer.title,
                "fields": {a["name"]: a.get("type", "string") for a in layer.attributes},
            }
        ],
    }


def tiles_template_url(request, layer):
    """The absolute tile URL with literal {z}/{x}/{y} (and the layer's version, so that browsers
    fetch new tiles after a change)."""
    url = request.build_absolute_uri(reverse("tiles:tile", args=[layer.slug, 0, 0, 0]))
    return url.replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf") + f"?v={layer_cache_version(layer)}"
