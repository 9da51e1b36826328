"""Mapbox vector tiles of a layer, built in PostGIS and cached.

The tile envelope (EPSG:3857) is transformed to the features' EPSG:4326, never the other way
round, so that `layer_id = .. AND geom && envelope` is answered by the (layer, geom) GiST index.
Lines and polygons are simplified to about half a screen pixel of the tile's zoom before they are
projected; below zoom 12 points are thinned to one per 4x4 screen pixels, so that a tile of a
million-point layer stays small enough to draw. Each tile is cached with the
layer's version and last update, so a re-import or an edit invalidates its tiles at once.

A cached tile of a public layer costs one round trip to Redis and no database query: the
layer's small record (layers/access.py: id, visibility, cache version), which the layer's saves
and deletes drop, and the tile are fetched together, by the rate limit's count of the request
(cache_reads); a tile cached for another version of the layer is a miss. Private layers go
through permissions.visible_layers on every request.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from . import access as layer_access
from .access import layer_cache_version
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


def cache_key(slug, tile):
    """A tile's key holds no version, so that the layer's record and the tile come in one round
    trip; the entry is (cache version, bytes), and one of another version is a miss."""
    return f"tile:{slug}:{tile.z}/{tile.x}/{tile.y}"


def cache_control(access):
    """Public tiles and TileJSON may sit in shared caches (nginx, a CDN); private ones never."""
    if access.visible_to_everyone:
        return f"public, max-age={settings.TILE_HTTP_MAX_AGE}"
    return "private, no-store"


def cache_reads(slug, z, x, y):
    """The cache keys a tile request reads first: the layer's record and the tile (the rate
    limit's count brings them in its round trip: geoportal.throttling.reads_with_count)."""
    try:
        tile = TileRequest(z, x, y)
    except TileOutOfRange:
        return ()
    return (layer_access.shared_key(slug), cache_key(slug, tile))


def tile_access(user, slug, tile, read=None):
    """(the layer's LayerAccess if `user` may see its tiles, else None; the tile's bytes if
    cached for the layer's current version, else None). For a layer visible to everyone whose
    record is cached, that is one round trip to the cache and no database query, or none when
    `read` holds what the cache had under cache_reads() (read with the rate limit's count)."""
    key = cache_key(slug, tile)
    access, found = layer_access.for_tiles(user, slug, [key], read)
    entry = found.get(key)
    if access is None or entry is None or entry[0] != access.cache_version:
        return access, None
    return access, entry[1]


def get_tile(access, tile, cached=None):
    """The tile's bytes (empty for a tile without features): `cached` (from tile_access), or
    built in PostGIS and cached."""
    if cached is not None:
        return cached
    data = build_tile(access, tile)
    cache.set(cache_key(access.slug, tile), (access.cache_version, data),
              settings.TILE_CACHE_SECONDS)  # fmt: skip
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
