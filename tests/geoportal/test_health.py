"""/healthz and /readyz against the real primary, replica, Redis and a Celery worker."""

import json
import os
import time

import pytest
from django.conf import settings as django_settings
from django.db import connections

pytestmark = pytest.mark.usefixtures("replica_database")
BOTH = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def no_secrets(body):
    text = json.dumps(body)
    db = connections["default"].settings_dict
    for secret in (django_settings.SECRET_KEY, django_settings.REDIS_URL, db["NAME"],
                   str(db["PORT"]), str(connections.settings["replica"]["PORT"])):  # fmt: skip
        assert secret not in text, secret
    return True


def test_healthz_answers_without_touching_a_database_and_is_never_throttled(client):
    # No django_db mark: a query would raise here.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "instance": "web"}
    assert "no-cache" in response["Cache-Control"]
    # More than any rate limit lets an anonymous client make in a minute.
    assert {client.get("/healthz").status_code for _ in range(200)} == {200}


@BOTH
def test_readyz_with_everything_up(client, start_worker, settings):
    start_worker()
    settings.HEALTH_WORKER_TIMEOUT = 5.0  # the worker may still be starting
    # ... and the replica may still replay the suite's bulk imports on a busy machine.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = client.get("/readyz")
        if response.json()["status"] == "ready":
            break
        time.sleep(0.5)
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ready", body
    checks = body["checks"]
    assert checks["primary"]["ok"] and checks["redis"]["ok"]
    assert checks["replica"] == {**checks["replica"], "ok": True, "configured": True,
                                 "reachable": True}  # fmt: skip
    assert 0 <= checks["replica"]["lag_seconds"] <= settings.REPLICA_MAX_LAG_SECONDS
    assert checks["workers"]["answering"] == [f"test-{os.getpid()}-0"]
    assert all(isinstance(check["ms"], float) for check in checks.values())
    assert response["Content-Type"] == "application/json"
    assert no_secrets(body)


@BOTH
def test_readyz_without_replica_or_worker_is_degraded_but_serving(
    client, replica_database, settings
):
    settings.HEALTH_WORKER_TIMEOUT = 0.2  # no worker runs in this test
    live_port = replica_database["PORT"]
    connections["replica"].close()
    replica_database["PORT"] = 1
    try:
        response = client.get("/readyz")
    finally:
        connections["replica"].close()
        replica_database["PORT"] = live_port
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["replica"]["reachable"] is False
    assert body["checks"]["replica"]["error"] == "OperationalError"
    assert body["checks"]["workers"] == {**body["checks"]["workers"], "ok": False, "answering": []}
    assert no_secrets(body)


@BOTH
def test_readyz_without_redis_is_not_ready(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["redis"] == {**body["checks"]["redis"], "ok": False,
                                       "error": "ConnectionError"}  # fmt: skip
    assert body["checks"]["workers"] == {"ok": False}
    assert body["checks"]["primary"]["ok"] is True
    assert no_secrets(body)


@pytest.mark.django_db
def test_readyz_without_a_replica_configured(client, settings, monkeypatch):
    settings.HEALTH_WORKER_TIMEOUT = 0.2
    monkeypatch.delitem(connections.settings, "replica")
    body = client.get("/readyz").json()
    assert body["checks"]["replica"] == {**body["checks"]["replica"], "ok": True,
                                         "configured": False}  # fmt: skip


@pytest.mark.django_db
def test_health_checks_are_never_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "pages": "2/minute"}
    assert {client.get("/healthz").status_code for _ in range(5)} == {200}
