"""A layer's versions: each keeps its original file (downloadable to its editors only) and a map
of what it imported; restoring one imports its file again as a new version, through the one
pipeline, and the old features are then served everywhere: the layer page, the REST API, the
OGC API and the vector tiles. A failed or stuck upload is tried again the same way."""

import math
from datetime import timedelta

import pytest
from conftest import TEST_DATA
from django.contrib.gis.gdal import DataSource
from django.urls import reverse

from cities.models import City
from layers.imports.originals import original_path, preview_path
from layers.imports.queue import import_now, requeue
from layers.models import Layer, LayerVersion

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def two_versions(brest_planner):
    """A public Brest layer: version 1 the 7 oblasts (polygons), version 2 the 17 programme
    cities (points)."""
    layer = Layer.objects.create(
        slug="brest-versions", title_be="Версіі", city=City.objects.get(slug="brest"),
        owner=brest_planner, is_public=True,
    )  # fmt: skip
    import_now(layer, TEST_DATA / "oblasts.fgb", user=brest_planner)
    import_now(layer, TEST_DATA / "target_cities_17.gpx", user=brest_planner)
    layer.refresh_from_db()
    assert (layer.version, layer.feature_count) == (2, 17)
    return layer


def tile_of(lon, lat, z):
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def tile_names(client, tmp_path, slug, lon, lat, z):
    z, x, y = tile_of(lon, lat, z)
    response = client.get(f"/tiles/{slug}/{z}/{x}/{y}.pbf")
    assert response.status_code == 200
    path = tmp_path / str(z) / str(x) / f"{y}.pbf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(response.content)
    return {f.get("name") for layer in DataSource(str(path)) for f in layer}


def test_each_version_keeps_its_file_and_its_map(client, two_versions, brest_planner):
    first, second = two_versions.versions.order_by("number")
    assert original_path(first).name == "oblasts.fgb"
    assert original_path(second).read_bytes() == (TEST_DATA / "target_cities_17.gpx").read_bytes()
    client.force_login(brest_planner)
    download = client.get(
        reverse("admin:layers_layer_version_original", args=[two_versions.pk, first.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == (TEST_DATA / "oblasts.fgb").read_bytes()
    assert 'filename="oblasts.fgb"' in download["Content-Disposition"]
    assert preview_path(first) is not None
    drawn = client.get(
        reverse("admin:layers_layer_version_geojson", args=[two_versions.pk, first.pk])
    )
    geojson = b"".join(drawn.streaming_content).decode()
    assert geojson.count('"Polygon"') + geojson.count('"MultiPolygon"') == 7
    page = client.get(reverse("admin:layers_layer_version_map", args=[two_versions.pk, first.pk]))
    assert page.status_code == 200 and "oblasts.fgb" in page.text


def test_another_citys_planner_cannot_download_an_original(client, two_versions, planner_of):
    client.force_login(planner_of("pinsk"))
    version = two_versions.versions.first()
    url = reverse("admin:layers_layer_version_original", args=[two_versions.pk, version.pk])
    response = client.get(url)
    assert response.status_code == 403
    assert "Brest" in response.text


def test_a_restored_version_serves_its_old_features_everywhere(
    client, two_versions, brest_planner, eager_celery, django_capture_on_commit_callbacks, tmp_path
):
    layer = two_versions
    brest = (23.6852, 52.0938)
    # Version 2's points are what the tiles hold, and the cache is keyed by the version.
    assert "Брест" in tile_names(client, tmp_path / "before", layer.slug, *brest, 8)
    first = layer.versions.get(number=1)
    client.force_login(brest_planner)
    restore = reverse("admin:layers_layer_version_restore", args=[layer.pk, first.pk])
    assert "Restore version 1" in client.get(restore).text  # the confirmation first
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(restore)
    assert response.status_code == 302
    layer.refresh_from_db()
    restored = layer.versions.get(number=3)
    assert (restored.status, restored.restored_from) == (Layer.Status.READY, first)
    assert (layer.version, layer.feature_count, layer.geometry_type) == (3, 7, "MultiPolygon")
    client.logout()
    oblasts = {str(f.get("name_en")) for f in DataSource(str(TEST_DATA / "oblasts.fgb"))[0]}

    table = client.get(f"/layers/{layer.slug}/table.json").json()
    assert {row["properties"]["name_en"] for row in table["rows"]} == oblasts
    api = client.get(f"/api/v1/layers/{layer.slug}/features/").json()
    assert {f["properties"]["name_en"] for f in api["features"]} == oblasts
    ogc = client.get(f"/ogc/collections/{layer.slug}/items?f=json").json()
    assert {f["properties"]["name_en"] for f in ogc["features"]} == oblasts
    in_tile = tile_names(client, tmp_path / "after", layer.slug, *brest, 8)
    assert "Брест" not in in_tile and in_tile <= {
        f["properties"]["name"] for f in api["features"]
    }  # fmt: skip
    assert in_tile


def test_a_failed_or_stuck_upload_is_tried_again_from_its_file(
    client, brest_planner, eager_celery, django_capture_on_commit_callbacks, settings
):
    layer = Layer.objects.create(slug="stuck", title_be="Завіслы", owner=brest_planner,
                                 city=City.objects.get(slug="brest"))  # fmt: skip
    version = import_now(layer, TEST_DATA / "oblasts.fgb", user=brest_planner)
    # As if the worker had died during a second import an hour and more ago.
    stuck = LayerVersion.objects.create(
        layer=layer, number=2, created_by=brest_planner, status=Layer.Status.IMPORTING,
        source_filename="oblasts.fgb", original=version.original,
    )  # fmt: skip
    LayerVersion.objects.filter(pk=stuck.pk).update(
        created=stuck.created - timedelta(minutes=settings.IMPORT_STUCK_MINUTES + 1)
    )
    client.force_login(brest_planner)
    home = client.get(reverse("admin:index")).text
    assert "stuck: no result for over" in home
    retry = reverse("admin:layers_layer_version_retry", args=[layer.pk, stuck.pk])
    assert retry in home  # offered where the problem is shown
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry)
    stuck.refresh_from_db()
    assert stuck.status == Layer.Status.FAILED  # stopped, and tried again as version 3
    third = layer.versions.get(number=3)
    assert (third.status, third.restored_from) == (Layer.Status.READY, stuck)


def test_a_version_without_its_file_cannot_be_restored(two_versions, brest_planner):
    first = two_versions.versions.get(number=1)
    original_path(first).unlink()
    from geoportal.gis.files import FileRefused

    with pytest.raises(FileRefused, match="was not kept"):
        requeue(first, brest_planner)
    assert two_versions.versions.count() == 2


def test_deleting_a_layer_lists_no_features_and_removes_its_files(client, two_versions,
                                                                  brest_planner):  # fmt: skip
    client.force_login(brest_planner)
    files = [original_path(v).parent for v in two_versions.versions.all()]
    url = reverse("admin:layers_layer_delete", args=[two_versions.pk])
    page = client.get(url).text
    assert "with its 17 features and 2 versions" in page
    assert "Feature:" not in page and page.count("<li>") < 10
    client.post(url, {"post": "yes"})
    assert not Layer.objects.filter(pk=two_versions.pk).exists()
    assert not any(folder.exists() for folder in files)


def test_the_bulk_delete_confirmation_lists_no_features(client, two_versions, brest_planner):
    client.force_login(brest_planner)
    changelist = reverse("admin:layers_layer_changelist")
    chosen = {"action": "delete_selected", "_selected_action": [two_versions.pk]}
    page = client.post(changelist, chosen).text
    assert "with its 17 features and 2 versions" in page
    assert "Feature:" not in page and page.count("<li>") < 10
    client.post(changelist, {**chosen, "post": "yes"})
    assert not Layer.objects.filter(pk=two_versions.pk).exists()
