"""Changing one feature of a layer: create, replace, update (merge), delete, and revert a
recorded change. Each runs in one transaction holding the layer's row lock, so edits of a layer
are serialised with each other and with an import's swap (which takes the same lock):

- an edit while a re-import is queued or running is refused (409), never applied to features
  the import is about to replace; an edit committed before the import was queued is in the
  history, followed by the import that replaced the layer's features;
- each change is recorded as a FeatureEdit (before and after as GeoJSON) in the same
  transaction, and saves the layer (count, extent, `updated`), which changes its cache version:
  tiles, thumbnails and stored downloads are keyed by it, and the tile access record is dropped
  by the layer's save signals.

Optimistic concurrency: a feature's ETag is a digest of its geometry and properties, computed in
PostGIS; an edit given `if_match` that no longer matches is refused (412).
"""

import json
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.db import connection, transaction
from django.utils.http import parse_etags
from django.utils.translation import gettext as _

from ..models import Feature, FeatureEdit, Layer
from ..queries import etag_sql
from .checks import EditRefused, check_geometry, check_properties

BUSY = (Layer.Status.QUEUED, Layer.Status.IMPORTING)
# The history keeps geometries at full precision, so that a revert restores them exactly.
HISTORY_PRECISION = 15


@dataclass
class Change:
    """What an edit gives the caller: the feature's id, its new GeoJSON (None once deleted),
    its new ETag and the recorded edit."""

    feature_id: int
    feature: dict | None
    etag: str | None
    edit: FeatureEdit


def feature_states(layer, feature_ids):
    """{id: (GeoJSON Feature dict, ETag)} of those features that exist."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT f.id, ST_AsGeoJSON(f.geom, {HISTORY_PRECISION}), f.properties::text, "
            f"{etag_sql('f')} FROM layers_feature f WHERE f.layer_id = %s AND f.id = ANY(%s)",
            [layer.pk, [int(i) for i in feature_ids]],
        )
        rows = cursor.fetchall()
    return {
        fid: ({"type": "Feature", "id": fid, "geometry": json.loads(geometry),
               "properties": json.loads(properties)}, f'"{fid}-{digest}"')
        for fid, geometry, properties, digest in rows
    }  # fmt: skip


def feature_state(layer, feature_id):
    """(GeoJSON Feature dict, ETag) of one feature, or (None, None)."""
    return feature_states(layer, [feature_id]).get(int(feature_id), (None, None))


def left_as(edit, current):
    """Whether the feature (its current GeoJSON, or None) is still as the edit left it."""
    after = edit.after
    if after is None or current is None:
        return after is None and current is None
    return after["geometry"] == current["geometry"] and after["properties"] == current["properties"]


def _locked(layer):
    """The layer's row, locked for this transaction; refused while an import is pending."""
    locked = Layer.objects.select_for_update().get(pk=layer.pk)
    if locked.status in BUSY:
        raise EditRefused(
            _("The layer is being re-imported from a file. Edit it once the import has "
              "finished: the import replaces every feature."),
            status=409, code="import_in_progress",
        )  # fmt: skip
    return locked


def _current(layer, feature_id, if_match):
    feature, etag = feature_state(layer, feature_id)
    if feature is None:
        raise EditRefused(
            _("No feature %(id)s in this layer (a re-import gives features new ids).")
            % {"id": feature_id},
            status=404, code="not_found",
        )  # fmt: skip
    if if_match and "*" not in if_match and etag not in parse_etags(if_match):
        raise EditRefused(
            _("The feature was changed by someone else since you read it: reload it and edit "
              "again."),
            status=412, code="precondition_failed",
        )  # fmt: skip
    return feature


def _touch(layer, geometry_hex=None, count_change=0):
    """Save the layer after a change of its features: count, extent (grown to the new
    geometry), and `updated` (auto_now), which changes its cache version."""
    layer.feature_count = max(0, layer.feature_count + count_change)
    fields = ["feature_count", "updated"]
    if geometry_hex is not None:
        box = GEOSGeometry(geometry_hex).extent
        if layer.extent is not None:
            old = layer.extent.extent
            box = (min(box[0], old[0]), min(box[1], old[1]), max(box[2], old[2]),
                   max(box[3], old[3]))  # fmt: skip
        # A single point has no area: widen it a hair so that it stays a polygon.
        xmin, ymin, xmax, ymax = box
        if xmin == xmax:
            xmin, xmax = xmin - 1e-6, xmax + 1e-6
        if ymin == ymax:
            ymin, ymax = ymin - 1e-6, ymax + 1e-6
        layer.extent = Polygon.from_bbox((xmin, ymin, xmax, ymax))
        fields.append("extent")
    layer.save(update_fields=fields)


def _record(layer, user, feature_id, action, before, after, via, reverts=None):
    return FeatureEdit.objects.create(
        layer=layer, layer_version=layer.version, feature_id=feature_id, action=action,
        user=user if user is not None and user.is_authenticated else None,
        before=before, after=after, via=via, reverts=reverts,
    )  # fmt: skip


def _geometry(layer, geometry, crs_options):
    return check_geometry(layer, geometry, **(crs_options or {}))


def _insert(layer, geometry_hex, properties, feature_id=None):
    fields = {"id": feature_id} if feature_id is not None else {}
    feature = Feature.objects.create(
        layer=layer, geom=GEOSGeometry(geometry_hex), properties=properties, **fields
    )
    return feature.pk


def _write(layer, feature_id, geometry_hex, properties):
    Feature.objects.filter(layer=layer, pk=feature_id).update(
        geom=GEOSGeometry(geometry_hex), properties=properties
    )


def create_feature(user, layer, geometry, properties, *, via="page", crs_options=None):
    with transaction.atomic():
        locked = _locked(layer)
        geometry_hex = _geometry(locked, geometry, crs_options)
        properties = check_properties(locked, properties or {})
        feature_id = _insert(locked, geometry_hex, properties)
        after, etag = feature_state(locked, feature_id)
        edit = _record(locked, user, feature_id, FeatureEdit.Action.CREATE, None, after, via)
        _touch(locked, geometry_hex, +1)
        return Change(feature_id, after, etag, edit)


def change_feature(user, layer, feature_id, *, geometry=None, properties=None, replace=False,
                   if_match=None, via="page", crs_options=None):  # fmt: skip
    """PUT (replace=True: the geometry and the whole properties) or PATCH (a JSON merge patch:
    the geometry if given, and the given properties over the others)."""
    with transaction.atomic():
        locked = _locked(layer)
        before = _current(locked, feature_id, if_match)
        if replace and geometry is None:
            raise EditRefused(_("A replacement feature needs a geometry."))
        geometry_hex = _geometry(locked, geometry, crs_options) if geometry is not None else None
        checked = check_properties(locked, properties or {})
        new_properties = checked if replace else {**before["properties"], **checked}
        if geometry_hex is None:
            Feature.objects.filter(layer=locked, pk=feature_id).update(properties=new_properties)
        else:
            _write(locked, feature_id, geometry_hex, new_properties)
        after, etag = feature_state(locked, feature_id)
        edit = _record(locked, user, feature_id, FeatureEdit.Action.UPDATE, before, after, via)
        _touch(locked, geometry_hex)
        return Change(feature_id, after, etag, edit)


def delete_feature(user, layer, feature_id, *, if_match=None, via="page"):
    with transaction.atomic():
        locked = _locked(layer)
        before = _current(locked, feature_id, if_match)
        Feature.objects.filter(layer=locked, pk=feature_id).delete()
        edit = _record(locked, user, feature_id, FeatureEdit.Action.DELETE, before, None, via)
        _touch(locked, count_change=-1)
        return Change(feature_id, None, None, edit)


def revert_edit(user, layer, edit_id, *, via="page"):
    """Put the feature back as it was before the edit: only while the feature is still as the
    edit left it (a later change was reverted, or there was none) and the layer has not been
    re-imported since."""
    with transaction.atomic():
        locked = _locked(layer)
        edit = FeatureEdit.objects.filter(layer=locked, pk=edit_id).first()
        if edit is None:
            raise EditRefused(_("No such change in this layer's history."), 404, "not_found")
        if edit.layer_version != locked.version:
            raise EditRefused(
                _("The layer was re-imported after this change: its features are not the ones "
                  "the change was made to."),
                status=409, code="reimported",
            )  # fmt: skip
        if not left_as(edit, feature_state(locked, edit.feature_id)[0]):
            raise EditRefused(
                _("The feature has been changed again since: revert the later changes first."),
                status=409, code="changed_since",
            )  # fmt: skip
        return _restore(user, locked, edit, via)


def _restore(user, layer, edit, via):
    feature_id, before = edit.feature_id, edit.before
    current, _etag = feature_state(layer, feature_id)
    if before is None:  # undo an addition
        Feature.objects.filter(layer=layer, pk=feature_id).delete()
        record = _record(layer, user, feature_id, FeatureEdit.Action.DELETE, current, None,
                         via, reverts=edit)  # fmt: skip
        _touch(layer, count_change=-1)
        return Change(feature_id, None, None, record)
    # What the layer held before passes as it was (an import may have brought features outside
    # the country; a revert gives them back, it does not judge them).
    geometry_hex = check_geometry(layer, before["geometry"], inside_country=False)
    if current is None:  # undo a deletion: the feature comes back under its id
        _insert(layer, geometry_hex, before["properties"], feature_id)
        action, count_change = FeatureEdit.Action.CREATE, +1
    else:
        _write(layer, feature_id, geometry_hex, before["properties"])
        action, count_change = FeatureEdit.Action.UPDATE, 0
    after, etag = feature_state(layer, feature_id)
    record = _record(layer, user, feature_id, action, current, after, via, reverts=edit)
    _touch(layer, geometry_hex, count_change)
    return Change(feature_id, after, etag, record)
