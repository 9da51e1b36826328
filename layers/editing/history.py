"""A layer's history, newest first: each change made in place (FeatureEdit) and each import from
a file (LayerVersion) as one entry, so a re-import shows among the edits it came after. Entries
of one feature leave the imports out. A change may be reverted while its feature is still as it
left it (features.left_as) in the layer's current version."""

from django.db.models import Exists, OuterRef

from ..models import FeatureEdit, Layer, LayerVersion
from .features import feature_states, left_as

PAGE = 50


def _user_name(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _changed(edit):
    """What an update changed: whether the geometry, and which properties."""
    if not edit.before or not edit.after:
        return {"geometry": False, "properties": []}
    before, after = edit.before["properties"], edit.after["properties"]
    names = sorted(name for name in {*before, *after} if before.get(name) != after.get(name))
    return {"geometry": edit.before["geometry"] != edit.after["geometry"], "properties": names}


def _edit_entry(edit, revertible):
    return {
        "kind": "edit",
        "id": edit.pk,
        "action": edit.action,
        "action_label": str(edit.get_action_display()),
        "feature_id": edit.feature_id,
        "layer_version": edit.layer_version,
        "user": _user_name(edit.user),
        "created": edit.created.isoformat(),
        "via": edit.via,
        "before": edit.before,
        "after": edit.after,
        "reverts": edit.reverts_id,
        "reverted": edit.was_reverted,
        "changed": _changed(edit),
        "revertible": revertible,
    }


def _import_entry(version):
    return {
        "kind": "import",
        "id": version.pk,
        "layer_version": version.number,
        "user": _user_name(version.created_by),
        "created": version.created.isoformat(),
        "source_filename": version.source_filename,
        "imported": (version.report or {}).get("imported"),
    }


def layer_history(layer, feature_id=None, limit=PAGE):
    """The newest `limit` entries of the layer's history (of one feature if given)."""
    edits = (
        FeatureEdit.objects.filter(layer=layer)
        .select_related("user")
        .annotate(was_reverted=Exists(FeatureEdit.objects.filter(reverts=OuterRef("pk"))))
    )
    if feature_id is not None:
        edits = edits.filter(feature_id=feature_id)
    edits = list(edits[:limit])
    states = feature_states(layer, {e.feature_id for e in edits})
    busy = layer.status in (Layer.Status.QUEUED, Layer.Status.IMPORTING)

    def revertible(edit):
        current = states.get(edit.feature_id, (None, None))[0]
        return not busy and edit.layer_version == layer.version and left_as(edit, current)

    entries = [_edit_entry(e, revertible(e)) for e in edits]
    if feature_id is None:
        versions = (
            LayerVersion.objects.filter(layer=layer, status=Layer.Status.READY)
            .select_related("created_by")
            .order_by("-created")[:limit]
        )
        entries += [_import_entry(v) for v in versions]
    entries.sort(key=lambda entry: entry["created"], reverse=True)
    return entries[:limit]
