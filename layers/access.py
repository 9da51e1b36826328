"""What serving a layer's data needs to know of the layer (LayerAccess), without its Layer row.

The feature and tile paths answer many small requests; loading the whole Layer through the ORM
for each of them was a third of a single item's time. A LayerAccess is a few columns of the
layer's row, read with one values() query (no model instance), and kept in two places:

- in this process, per slug, for the feature path (the REST API's and the OGC API's items). It
  is never trusted on its own: the feature query carries the condition `unchanged()`, that the
  layer's row still has the record's version and last update (every save changes `updated`), so
  a page is read from the layer as it is when the query runs. A page that comes back empty may
  come from a stale record: `reload()` reads the row again, and if it changed the request is
  answered again from the new record (`LayerChanged`). So the check costs no round trip.
- in the shared cache, per slug, for tiles (layers/tiles.py), where a cached tile touches no
  database to check against: there it is dropped by the layer's save and delete signals
  (`forget()`, wired in apps.py) and fetched in the same round trip as the tile.

Who may see a layer stays the one rule of permissions.py: a record says whether its layer is
visible to everyone (published and public); any other layer is checked by visible_layers for the
user on every request.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists
from django.db.models.signals import pre_save

from .models import Layer, LayerSummary
from .permissions import visible_layers, visible_to_everyone

FIELDS = [
    "id", "slug", "is_public", "version", "updated", "geometry_type", "feature_count", "extent",
    "attributes", "time_attribute", "keywords", "title_be", "title_ru", "title_en",
    "abstract_be", "abstract_ru", "abstract_en",
]  # fmt: skip
# In-process records kept at most: a handful of layers are busy at any time; past this many the
# memo starts again rather than grow without bound.
MEMO_SIZE = 512


class LayerChanged(Exception):
    """The in-process record a request was answered from is out of date: answer it again."""


def layer_cache_version(layer):
    """Changes whenever the layer's data may have: a new import (version) or any save (updated)."""
    return f"{layer.version}.{int(layer.updated.timestamp() * 1_000_000)}"


@dataclass(frozen=True, eq=True)
class LayerAccess(LayerSummary):
    pk: int
    slug: str
    is_public: bool
    version: int
    updated: datetime
    geometry_type: str
    feature_count: int
    extent: tuple | None  # (xmin, ymin, xmax, ymax): lighter to cache than the Polygon
    attributes: list
    time_attribute: str
    keywords: list
    title_be: str
    title_ru: str
    title_en: str
    abstract_be: str
    abstract_ru: str
    abstract_en: str

    @classmethod
    def of(cls, row):
        """From a values(*FIELDS) row, or from a Layer."""
        if isinstance(row, Layer):
            row = {name: getattr(row, name) for name in FIELDS}
        extent = row["extent"].extent if row["extent"] else None
        return cls(pk=row["id"], **{name: row[name] for name in FIELDS[1:]} | {"extent": extent})

    @property
    def visible_to_everyone(self):
        return visible_to_everyone(self)

    @property
    def cache_version(self):
        return layer_cache_version(self)

    def unchanged(self):
        """The condition, for a feature query, that the layer's row is still this record's."""
        return Exists(Layer.objects.filter(pk=self.pk, version=self.version, updated=self.updated))

    def etag(self, tile):
        return f'"{self.pk}-{self.cache_version}-{tile.z}-{tile.x}-{tile.y}"'


def _load(queryset):
    row = queryset.values(*FIELDS).first()
    return LayerAccess.of(row) if row else None


# --- in this process: the feature path --------------------------------------------------------

_memo: dict[str, LayerAccess] = {}


def _remember(slug, record):
    if len(_memo) >= MEMO_SIZE:
        _memo.clear()
    if record is None:
        _memo.pop(slug, None)
    else:
        _memo[slug] = record


def for_features(user, slug):
    """The record of the layer `slug` if `user` may see it, else None, for a feature query that
    checks it with `unchanged()`. A layer visible to everyone is answered from this process's
    memo; any other is read through visible_layers for the user."""
    record = _memo.get(slug)
    if record is None:
        record = _load(Layer.objects.filter(slug=slug))
        _remember(slug, record)
    if record is None:
        return None
    if record.visible_to_everyone:
        return record
    record = _load(visible_layers(user).filter(slug=slug))
    if record is not None:
        _remember(slug, record)
    return record


def reload(record):
    """After an empty answer from `record`: read the layer's row again and raise LayerChanged
    if it is no longer the record's (the request is then answered again)."""
    current = _load(Layer.objects.filter(pk=record.pk))
    if current == record:
        return
    _remember(record.slug, None)
    if current is not None:
        _remember(current.slug, current)
    raise LayerChanged(record.slug)


def answered_again(view, attempts=3):
    """Decorate a view answering from for_features(): when a record turns out stale
    (LayerChanged), the view runs again, now with the row as it is."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        for _ in range(attempts - 1):
            try:
                return view(*args, **kwargs)
            except LayerChanged:
                continue
        return view(*args, **kwargs)

    return wrapper


# --- in the shared cache: tiles --------------------------------------------------------------


def shared_key(slug):
    return f"layer-access:{slug}"


def for_tiles(user, slug, extra_keys=(), read=None):
    """(the record of the layer `slug` if `user` may see it, else None; {key: value} of the
    `extra_keys` found in the cache), in one round trip to the cache when the layer is visible to
    everyone and its record is cached (reading the record costs two queries), or none when `read`
    already holds what the cache had under the record's key and `extra_keys` (read with the rate
    limit's count). Any other layer is read through visible_layers."""
    key = shared_key(slug)
    found = dict(read) if read is not None else cache.get_many([key, *extra_keys])
    record = found.pop(key, None)
    if record is None:
        record = _load(Layer.objects.filter(slug=slug))
        if record is None:
            return None, found
        cache.set(key, record, settings.TILE_CACHE_SECONDS)
        # A save that committed between the read and the set dropped the key before it was set:
        # read the row again, and take back what was set if it moved on.
        current = _load(Layer.objects.filter(pk=record.pk))
        if current != record:
            cache.delete(key)
            if current is None or current.slug != slug:
                return None, found
            record = current
    if not record.visible_to_everyone:
        record = _load(visible_layers(user).filter(slug=slug))
    return record, found


def forget(sender, instance, signal, **kwargs):
    """Receiver of the layer's pre_save, post_save and post_delete: drop its shared record and
    this process's (before a save under the slug it had, so a renamed slug stops serving), now
    and again when the transaction commits, so that no request in between caches the record as
    it was. Other processes' memos are checked by every feature query (unchanged())."""
    if signal is pre_save:
        if instance.pk is None:
            return
        slugs = list(Layer.objects.filter(pk=instance.pk).values_list("slug", flat=True))
    else:
        slugs = [instance.slug]
    keys = [shared_key(slug) for slug in slugs]

    def drop():
        cache.delete_many(keys)
        for slug in slugs:
            _remember(slug, None)

    drop()
    transaction.on_commit(drop)
