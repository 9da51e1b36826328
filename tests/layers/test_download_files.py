"""Whole-layer downloads: made once per layer version by the worker, stored, and served as files
(ETag, Cache-Control, Range, X-Accel-Redirect, X-Sendfile); the first request only queues."""

import os
import re
import time

import pytest
from django.contrib.auth.models import User

from layers.downloads import store
from layers.models import Layer

URL = "/en/layers/sample-points/download/{}/"
FEATURES = [(f"POINT({27.5 + i / 100} 53.9)", {"name": f"Point {i}", "rank": i}) for i in range(30)]


@pytest.fixture
def points(ready_layer):
    return ready_layer("sample-points", FEATURES, licence="CC BY 4.0", title_en="Sample points")


def made(client, fmt, **headers):
    """Ask once (202, queued), let the queued build run, then fetch the stored file."""
    url = URL.format(fmt)
    first = client.get(url)
    assert first.status_code == 202
    return client.get(url, **headers)


def body(response):
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_first_request_queues_once_and_the_request_makes_nothing(client, points, settings):
    """Without a worker (tasks only queued), the first request answers at once with 202 and
    Retry-After; asking again does not queue a second build; nothing is written."""
    for _ in range(2):
        response = client.get(URL.format("geojson"))
        assert response.status_code == 202
        assert int(response["Retry-After"]) > 0
        assert response["Cache-Control"] == "no-store"
        assert b"being prepared" in response.content
    assert store.build_state(points, "geojson") == store.QUEUED
    assert not list(settings.DOWNLOADS_ROOT.glob("*/*/*"))


@pytest.mark.django_db
def test_browsers_get_a_page_that_asks_again(client, points):
    response = client.get(URL.format("csv"), HTTP_ACCEPT="text/html,*/*")
    assert response.status_code == 202
    page = response.content.decode()
    assert re.search(r'<meta http-equiv="refresh" content="\d+">', page)
    assert "sample-points-v1.csv" in page


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_stored_file_has_etag_and_caching_and_304(client, points):
    response = made(client, "geojson")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sample-points-v1.geojson"'
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Last-Modified"]
    content = body(response)
    assert int(response["Content-Length"]) == len(content)
    again = client.get(URL.format("geojson"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_private_layer_files_are_never_for_shared_caches(client, points):
    points.is_public = False
    points.save()
    client.force_login(User.objects.create_superuser("admin"))
    response = made(client, "csv")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_range_requests(client, points):
    whole = body(made(client, "geojson"))
    part = client.get(URL.format("geojson"), HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 10-19/{len(whole)}"
    assert body(part) == whole[10:20]
    tail = client.get(URL.format("geojson"), HTTP_RANGE="bytes=-5")
    assert body(tail) == whole[-5:]
    resumed = client.get(URL.format("geojson"), HTTP_RANGE="bytes=100-")
    assert body(resumed) == whole[100:]
    beyond = client.get(URL.format("geojson"), HTTP_RANGE=f"bytes={len(whole)}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(whole)}"
    # An If-Range naming another version gets the whole (current) file.
    stale = client.get(URL.format("geojson"), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"old"')
    assert stale.status_code == 200
    assert body(stale) == whole


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_a_proxy_serves_the_file(client, points, settings):
    made(client, "kml")
    settings.DOWNLOADS_ACCEL_REDIRECT = "/_protected_downloads/"
    response = client.get(URL.format("kml"))
    assert response.status_code == 200
    assert response.content == b""
    relative = response["X-Accel-Redirect"].removeprefix("/_protected_downloads/")
    assert response["X-Accel-Redirect"].startswith("/_protected_downloads/")
    assert (settings.DOWNLOADS_ROOT / relative).is_file()
    assert relative.endswith("sample-points-v1.kml")
    assert response["Content-Disposition"] == 'attachment; filename="sample-points-v1.kml"'
    assert response["ETag"]
    settings.DOWNLOADS_ACCEL_REDIRECT = ""
    settings.DOWNLOADS_X_SENDFILE = True
    response = client.get(URL.format("kml"))
    assert response["X-Sendfile"] == str(settings.DOWNLOADS_ROOT / relative)
    assert response.content == b""


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_a_changed_layer_gets_new_files_and_the_old_go(client, points, settings):
    first = body(made(client, "csv"))
    old_files = list(settings.DOWNLOADS_ROOT.glob(f"{points.pk}/*/*"))
    assert len(old_files) == 1
    Layer.objects.get(pk=points.pk).save()  # an edit: a new cache version
    response = client.get(URL.format("csv"))
    assert response.status_code == 202  # not the old file
    response = client.get(URL.format("csv"))
    assert body(response) == first
    assert not old_files[0].exists()
    assert len(list(settings.DOWNLOADS_ROOT.glob(f"{points.pk}/*/*"))) == 1
    assert list((settings.DOWNLOADS_ROOT / "tmp").iterdir()) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_layer_page_says_when_each_file_was_made_and_its_size(client, points):
    page = client.get("/en/layers/sample-points/").content.decode()
    assert page.count("made on the first request") == 5
    size = len(body(made(client, "geojson")))
    page = client.get("/en/layers/sample-points/").content.decode()
    assert page.count("made on the first request") == 4
    shown = re.search(r'data-format="geojson">made ([^<]+), ([^<]+)</span>', page)
    assert shown, page
    assert shown.group(2).replace("\xa0", " ") in {f"{size / 1024:.1f} KB", f"{size} bytes"}


@pytest.mark.django_db
def test_deleting_a_layer_removes_its_files(points, settings):
    folder = settings.DOWNLOADS_ROOT / str(points.pk) / "1.0"
    folder.mkdir(parents=True)
    (folder / "x.csv").write_text("x")
    points.delete()
    assert not (settings.DOWNLOADS_ROOT / str(points.pk)).exists()


@pytest.mark.django_db
def test_sweep_removes_what_a_killed_build_left(settings):
    tmp = settings.DOWNLOADS_ROOT / "tmp"
    old, fresh = tmp / "build-old", tmp / "build-fresh"
    for folder in (old, fresh):
        folder.mkdir(parents=True)
    settings.DOWNLOAD_BUILD_TIMEOUT = 60
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert store.sweep() == 1
    assert not old.exists() and fresh.exists()
