"""deploy/'s files, rendered as `make cluster` renders them: complete, and accepted by nginx."""

import os
import re
import stat
import subprocess

from conftest import ROOT


def test_the_rendered_configuration_is_complete_and_nginx_accepts_it(tmp_path):
    cluster = tmp_path / "cluster"
    env = {**os.environ, "CLUSTER_DIR": str(cluster), "MAX_UPLOAD_SIZE": "12345",
           "CLUSTER_WEB_PORTS": "9101 9102 9103"}  # fmt: skip
    result = subprocess.run(
        [str(ROOT / "scripts" / "cluster.sh"), "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    site = (cluster / "nginx" / "geoportal.conf").read_text()
    assert "client_max_body_size 12345;" in site
    assert re.findall(r"server 127\.0\.0\.1:(\d+) max_fails", site) == ["9101", "9102", "9103"]
    assert f"alias {cluster}/media/downloads/;" in site
    assert f"alias {cluster}/static/;" in site
    rendered = [
        cluster / "nginx" / "nginx.conf",
        cluster / "nginx" / "geoportal.conf",
        cluster / "nginx" / "geoportal-cache.conf",
        cluster / "pgbouncer" / "pgbouncer.ini",
        cluster / "etc" / "geoportal.env",
        cluster / "etc" / "worker.env",
    ]
    for path in rendered:
        assert "${" not in path.read_text(), path
    environment = dict(
        line.split("=", 1)
        for line in (cluster / "etc" / "geoportal.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert environment["DJANGO_SETTINGS_MODULE"] == "geoportal.production"
    assert environment["DOWNLOADS_ACCEL_REDIRECT"] == "/_protected_downloads/"
    assert "DEBUG" not in environment
    # The secret is generated, kept outside the repository and readable by its owner only.
    secret = (cluster / "secrets" / "secret_key").read_text().strip()
    assert len(secret) >= 50 and environment["SECRET_KEY"] == secret
    for path in (cluster / "secrets" / "secret_key", cluster / "etc" / "geoportal.env"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    web = (cluster / "systemd" / "geoportal-web@.service").read_text()
    assert f"--config {ROOT}/deploy/gunicorn.conf.py" in web
    assert f"EnvironmentFile={cluster}/etc/geoportal.env" in web


def url_modules_loaded_by(probe):
    probe += "; print('layers.ogc.cql2_text' in sys.modules)"
    done = subprocess.run([str(ROOT / ".venv/bin/python"), "-c", probe], cwd=ROOT,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout.strip() == "True"


def test_a_worker_imports_every_url_module_as_it_boots():
    """Loading the WSGI application imports the URL modules (the OGC API's CQL2 grammar among
    them), so that no request waits for them after a worker (re)starts."""
    assert url_modules_loaded_by("import sys, geoportal.wsgi")


def test_a_celery_worker_imports_every_url_module_as_it_starts():
    """An import's swap reverses a URL (the layer's search entry) under the feature table's lock:
    the Celery worker loads the URL modules when it starts, not then."""
    setup = "import sys, django; django.setup(); from geoportal.celery import app"
    assert not url_modules_loaded_by(setup)
    assert url_modules_loaded_by(
        setup + "; from celery.signals import worker_init; worker_init.send(sender=None)"
    )
