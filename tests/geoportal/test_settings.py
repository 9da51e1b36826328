import json
import os
import secrets
import subprocess
import sys

import redis
from conftest import ROOT
from django.core.cache import cache


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        # The test run's own DJANGO_ALLOW_ASYNC_UNSAFE is not a production setting.
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **env},
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_the_deploy_check():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="geoportal.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="geoportal.example.by",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_a_missing_secret_key():
    env = {"DJANGO_SETTINGS_MODULE": "geoportal.production", "SECRET_KEY": ""}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_settings_behind_pgbouncer_with_a_replica():
    """DB_TRANSACTION_POOLING: no server-side cursors and no prepared statements (a transaction
    pool hands each transaction any server connection); the replica never gets a test database."""
    shown = manage(
        "shell",
        "-c",
        "import json; from django.conf import settings; print(json.dumps(settings.DATABASES))",
        DB_TRANSACTION_POOLING="true",
        DATABASE_REPLICA_URL="postgis://geoportal@127.0.0.1:6432/geoportal_replica",
    )
    assert shown.returncode == 0, shown.stderr
    databases = json.loads(shown.stdout.splitlines()[-1])
    assert set(databases) == {"default", "replica"}
    for database in databases.values():
        assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert database["OPTIONS"]["prepare_threshold"] is None
        assert database["CONN_HEALTH_CHECKS"] is True
    assert databases["replica"]["NAME"] == "geoportal_replica"
    assert databases["replica"]["TEST"]["MIRROR"] == "default"


def test_collectstatic_under_production_settings(tmp_path):
    """The README's release step: hashed, compressed static files, every reference in the
    vendored CSS and JavaScript (source maps included) found."""
    result = manage(
        "collectstatic",
        "--noinput",
        DJANGO_SETTINGS_MODULE="geoportal.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("leaflet/leaflet.js", "vendor/chartjs/chart.umd.min.js", "js/pages/layer-page.js"):
        assert name in paths, name
    # The hashed leaflet.js names its hashed source map, which is there.
    hashed_map = paths["leaflet/leaflet.js.map"]
    assert hashed_map.rsplit("/", 1)[1] in (tmp_path / paths["leaflet/leaflet.js"]).read_text()
    assert (tmp_path / hashed_map).stat().st_size > 0


def test_tests_clear_only_their_own_redis_database(settings):
    """The cache the tests clear before each test is not the portal's Redis database, which
    `make run`'s cache and Celery queue use: a key there survives the clearing."""
    portal_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:63799/0")
    assert settings.CACHES["default"]["LOCATION"] != portal_url
    assert portal_url != settings.CELERY_BROKER_URL
    portal = redis.Redis.from_url(portal_url)
    key = f"geoportal-test-marker-{secrets.token_hex(8)}"
    portal.set(key, "kept", ex=60)
    try:
        cache.set("mine", 1)
        cache.clear()
        assert cache.get("mine") is None
        assert portal.get(key) == b"kept"
    finally:
        portal.delete(key)
        portal.close()
