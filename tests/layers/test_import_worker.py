"""An upload goes through Redis to a real Celery worker, which imports it."""

import time

import pytest
from conftest import TEST_DATA
from rest_framework.test import APIClient

from layers.models import Layer

pytestmark = pytest.mark.usefixtures("english")


def test_upload_is_imported_by_a_real_worker(worker, planner_of, tmp_path):
    planner = planner_of("grodno")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {planner.token}")
    with open(TEST_DATA / "settlements_50.csv", "rb") as handle:
        response = client.post(
            "/api/v1/layers/",
            {"file": handle, "title": "Settlements", "city": "grodno"},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    url = response.json()["url"]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        body = client.get(url).json()
        if body["status"] in {"ready", "failed"}:
            break
        time.sleep(0.5)
    assert body["status"] == "ready", body
    assert body["feature_count"] == 50
    layer = Layer.objects.get(slug=body["slug"])
    assert layer.versions.get().status == "ready"
    assert list(tmp_path.iterdir()) == []
