import json
import os
import secrets
import subprocess
import sys

from conftest import ROOT


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
