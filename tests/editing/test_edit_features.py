"""The write path under the OGC API and the page: the history it keeps and reverts, what an edit
does to tiles and downloads, and how it meets a re-import (refused while one is pending; the
import then shows as one history entry and older edits can no longer be reverted)."""

import json

import pytest
from conftest import TEST_DATA
from editing_fixtures import *  # noqa: F403 (the fixtures)

from layers.access import layer_cache_version
from layers.editing.checks import EditRefused
from layers.editing.features import (
    change_feature,
    create_feature,
    delete_feature,
    revert_edit,
)
from layers.editing.history import layer_history
from layers.imports.queue import import_now
from layers.models import Feature, Layer

pytestmark = pytest.mark.django_db
POINT = {"type": "Point", "coordinates": [23.6900, 52.0950]}


def stop(layer, name):
    return Feature.objects.get(layer=layer, properties__name=name)


def stored_download(client, fmt):
    """A whole-layer download: the stored file (202 while it is made, then the file)."""
    url = f"/layers/brest-stops/download/{fmt}/"
    first = client.get(url)
    if first.status_code == 202:
        first = client.get(url)
    assert first.status_code == 200
    return b"".join(first.streaming_content)


@pytest.mark.usefixtures("eager_celery")
def test_tiles_and_downloads_show_an_edit_right_after_it(client, brest_stops, planner_of):
    token = planner_of("brest").token
    tile_url = "/tiles/brest-stops/12/2317/1351.pbf"  # holds the three sample stops
    before = client.get(tile_url)
    assert before.status_code == 200 and b"Stop A" in before.content
    assert b"Stop A renamed" not in stored_download(client, "csv")
    version = layer_cache_version(Layer.objects.get(pk=brest_stops.pk))
    stop_a = stop(brest_stops, "Stop A")
    response = client.patch(
        f"/ogc/collections/brest-stops/items/{stop_a.pk}",
        data=json.dumps({"properties": {"name": "Stop A renamed", "kind": "trolleybus"},
                         "geometry": {"type": "Point", "coordinates": [23.6861, 52.0980]}}),
        content_type="application/merge-patch+json",
        headers={"Authorization": f"Token {token}"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert layer_cache_version(Layer.objects.get(pk=brest_stops.pk)) != version
    after = client.get(tile_url)
    assert after["ETag"] != before["ETag"]
    assert b"Stop A renamed" in after.content and b"trolleybus" in after.content
    # The stored files of the old version are not served: the new ones hold the edit.
    download = json.loads(stored_download(client, "geojson"))
    edited = next(f for f in download["features"] if f["id"] == stop_a.pk)
    assert edited["properties"]["name"] == "Stop A renamed"
    assert edited["geometry"]["coordinates"] == [23.6861, 52.098]
    assert b"Stop A renamed" in stored_download(client, "csv")
    # A selection (streamed, not stored) too.
    selection = client.get("/layers/brest-stops/download/csv/?column=kind&value=trolleybus")
    assert b"Stop A renamed" in b"".join(selection.streaming_content)


def test_history_and_revert_rules(brest_stops, planner_of):
    user = planner_of("brest")
    stop_a = stop(brest_stops, "Stop A")
    first = change_feature(user, brest_stops, stop_a.pk, properties={"routes": 13})
    second = change_feature(user, brest_stops, stop_a.pk, geometry=POINT)
    # Not the feature's latest change: refused until the later one is reverted.
    with pytest.raises(EditRefused) as refused:
        revert_edit(user, brest_stops, first.edit.pk)
    assert refused.value.status == 409
    revert_edit(user, brest_stops, second.edit.pk)
    stop_a.refresh_from_db()
    assert (stop_a.geom.x, stop_a.geom.y) == pytest.approx((23.6850, 52.0976))
    revert_edit(user, brest_stops, first.edit.pk)
    stop_a.refresh_from_db()
    assert stop_a.properties["routes"] == 12

    # A deletion reverted brings the feature back under its id; an addition reverted goes.
    deleted = delete_feature(user, brest_stops, stop_a.pk)
    assert not Feature.objects.filter(pk=stop_a.pk).exists()
    revert_edit(user, brest_stops, deleted.edit.pk)
    assert Feature.objects.get(pk=stop_a.pk).properties["name"] == "Stop A"
    added = create_feature(user, brest_stops, POINT, {"name": "Temporary"})
    revert_edit(user, brest_stops, added.edit.pk)
    assert not Feature.objects.filter(pk=added.feature_id).exists()
    assert Layer.objects.get(pk=brest_stops.pk).feature_count == 3

    entries = [e for e in layer_history(brest_stops) if e["kind"] == "edit"]
    assert [e["action"] for e in entries] == [
        "delete", "create", "create", "delete", "update", "update", "update", "update"]  # fmt: skip
    assert sum(e["reverts"] is not None for e in entries) == 4
    assert entries[0]["before"]["properties"]["name"] == "Temporary"
    assert [e["feature_id"] for e in layer_history(brest_stops, stop_a.pk)] == [stop_a.pk] * 6


def test_an_edit_during_a_reimport_is_refused_and_the_import_is_one_history_entry(
    brest_stops, planner_of, english
):
    user = planner_of("brest")
    stop_a = stop(brest_stops, "Stop A")
    before = change_feature(user, brest_stops, stop_a.pk, properties={"routes": 20})
    Layer.objects.filter(pk=brest_stops.pk).update(status=Layer.Status.IMPORTING)
    with pytest.raises(EditRefused) as refused:
        change_feature(user, brest_stops, stop_a.pk, properties={"routes": 21})
    assert refused.value.status == 409
    assert "re-imported" in str(refused.value)
    stop_a.refresh_from_db()
    assert stop_a.properties["routes"] == 20  # the refused edit changed nothing

    Layer.objects.filter(pk=brest_stops.pk).update(status=Layer.Status.READY)
    layer = Layer.objects.get(pk=brest_stops.pk)
    import_now(layer, TEST_DATA / "settlements_50.csv", user=user)
    layer.refresh_from_db()
    assert layer.feature_count == 50
    entries = layer_history(layer)
    assert [e["kind"] for e in entries] == ["import", "edit", "import"]
    assert entries[0]["source_filename"] == "settlements_50.csv"
    assert entries[0]["imported"] == 50
    # The edit named a feature of the replaced version: it can no longer be reverted.
    assert entries[1]["revertible"] is False
    with pytest.raises(EditRefused) as refused:
        revert_edit(user, layer, before.edit.pk)
    assert refused.value.code == "reimported"
    # Edits go on against the new features.
    new_id = Feature.objects.filter(layer=layer).order_by("id").first().pk
    change_feature(user, layer, new_id, properties={"name": "renamed"})
    assert layer_history(layer)[0]["layer_version"] == layer.version


def test_history_and_revert_pages_are_for_editors_only(client, brest_stops, planner_of):
    brest = planner_of("brest")
    change = change_feature(brest, brest_stops, stop(brest_stops, "Stop A").pk,
                            properties={"routes": 1})  # fmt: skip
    assert client.get("/layers/brest-stops/history.json").status_code == 403
    client.force_login(planner_of("pinsk"))
    assert client.get("/layers/brest-stops/history.json").status_code == 403
    revert = f"/layers/brest-stops/history/{change.edit.pk}/revert/"
    assert client.post(revert).status_code == 403
    client.force_login(brest)
    assert client.get("/layers/brest-stops/history.json?feature=x").status_code == 400
    data = client.get("/layers/brest-stops/history.json").json()
    assert data["entries"][0]["revertible"] is True
    assert client.post(revert).status_code == 200
    assert client.post(revert).json()["code"] == "changed_since"


def test_attribute_choices_are_set_in_the_admin(client, brest_stops, planner_of, english):
    from layers.admin.forms import parse_choices

    assert parse_choices("kind: bus | tram\n\nroutes: 1 | 2", brest_stops.attributes) == {
        "kind": ["bus", "tram"], "routes": [1, 2]}  # fmt: skip
    with pytest.raises(ValueError, match="numbers"):
        parse_choices("routes: one | two", brest_stops.attributes)
    with pytest.raises(ValueError, match="colour"):
        parse_choices("colour: red", brest_stops.attributes)
    client.force_login(planner_of("brest"))
    page = client.get(f"/admin/layers/layer/{brest_stops.pk}/change/")
    assert "kind: bus | tram | trolleybus" in page.content.decode()
