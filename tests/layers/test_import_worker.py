"""An upload goes through Redis to a real Celery worker, which imports it."""

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, TEST_DATA
from django.db import connection
from rest_framework.test import APIClient

from layers.models import Layer

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def worker(transactional_db, settings, tmp_path):
    """A Celery worker on the worktree's Redis, using the test database."""
    settings.IMPORT_ROOT = tmp_path
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"),
        "IMPORT_ROOT": str(tmp_path),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    log = tmp_path.parent / "celery-worker.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "geoportal", "worker", "--pool=solo",
         "--loglevel=info", "--without-gossip", "--without-mingle", "--without-heartbeat",
         f"--hostname=test-{os.getpid()}@%h", f"--logfile={log}"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


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
