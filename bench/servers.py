"""The servers bench/ogc.py compares, on the same PostGIS database (geoportal_bench): the portal
under gunicorn (2 workers, DEBUG off), tipg (uvicorn) and pygeoapi (gunicorn), each peer in its
own venv in a temporary folder, never in the project's dependencies; and the helpers they share.
"""

import glob
import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PGPORT = os.environ.get("PGPORT", "54329")
BENCH_DB = "geoportal_bench"
DB_URL = f"postgis://geoportal@127.0.0.1:{PGPORT}/{BENCH_DB}"
PG_URL = f"postgresql://geoportal@127.0.0.1:{PGPORT}/{BENCH_DB}"
# Belarus, roughly: where the synthetic features go.
AREA = (23.5, 51.5, 32.5, 56.0)


def log(message):
    print(message, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sh(*args, env=None, cwd=None):
    subprocess.run(args, check=True, env=env, cwd=cwd, stdout=subprocess.DEVNULL)


# --- data ---------------------------------------------------------------------------------------


class Server:
    def __init__(self, name, port, collections, process=None, note="", geojson="json", tiles=None):
        self.name, self.port, self.collections, self.process = name, port, collections, process
        # table -> path of its MVT tiles with {z}/{x}/{y}, for the servers that have them
        self.tiles = tiles or {}
        # The f= value that asks this server for GeoJSON (tipg's f=json is a plain JSON list).
        self.note, self.geojson = note, geojson

    def wait(self, path, seconds=90):
        try:
            self._wait(path, seconds)
        except Exception:
            self.stop()
            raise

    def _wait(self, path, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"exited with {self.process.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", path)
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"no answer on {path} within {seconds} s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


# Rate limits still count (one Redis operation a request) but never refuse a benchmark's load.
UNLIMITED = "100000000/minute"


def start_portal(tmp):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": DB_URL, "DEBUG": "false",
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING",
           "OGC_RATE": UNLIMITED, "API_RATE_ANON": UNLIMITED, "TILE_RATE": UNLIMITED}  # fmt: skip
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "geoportal.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        cwd=ROOT, env=env, stderr=subprocess.STDOUT,
        stdout=open(tmp / "portal.log", "w"),  # noqa: SIM115 (the server process keeps it)
    )  # fmt: skip
    server = Server(
        "portal",
        port,
        {"points": "/ogc/collections/bench-points", "polygons": "/ogc/collections/bench-polygons"},
        process,
        tiles={"points": "/tiles/bench-points/{z}/{x}/{y}.pbf",
               "polygons": "/tiles/bench-polygons/{z}/{x}/{y}.pbf"},
    )  # fmt: skip
    server.wait("/ogc/collections/bench-points")
    return server


def find_python():
    """A python3.12 if there is one (the peers' newest releases want it), else this python."""
    candidates = [shutil.which("python3.12"), *sorted(glob.glob(
        os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3.12")))]  # fmt: skip
    for candidate in candidates:
        if (
            candidate
            and subprocess.run([candidate, "--version"], capture_output=True).returncode == 0
        ):
            return candidate
    return sys.executable


def make_venv(tmp, name, packages):
    python = find_python()
    venv = tmp / name
    sh(python, "-m", "venv", str(venv))
    result = subprocess.run(
        [str(venv / "bin/pip"), "install", "-q", *packages], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"pip install failed: {result.stderr.strip().splitlines()[-1:]}")
    version = subprocess.run(
        [str(venv / "bin/python"), "-c",
         f"import importlib.metadata as m; print(m.version('{packages[0]}'))"],
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    python_version = subprocess.run([python, "--version"], capture_output=True, text=True).stdout
    return venv, f"{packages[0]} {version} on {python_version.strip()}"


def start_tipg(tmp):
    venv, note = make_venv(tmp, "tipg", ["tipg", "uvicorn"])
    port = free_port()
    env = {**os.environ, "DATABASE_URL": PG_URL, "TIPG_DB_SCHEMAS": '["public"]',
           "TIPG_DB_TABLES": '["public.bench_points", "public.bench_polygons"]',
           "TIPG_DB_FUNCTIONS": "[]",
           "TIPG_MAX_FEATURES_PER_QUERY": "10000"}  # fmt: skip
    process = subprocess.Popen(
        [str(venv / "bin/uvicorn"), "tipg.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "2", "--log-level", "warning"],
        env=env, stderr=subprocess.STDOUT,
        stdout=open(tmp / "tipg.log", "w"),  # noqa: SIM115
    )  # fmt: skip
    server = Server(
        "tipg",
        port,
        {
            "points": "/collections/public.bench_points",
            "polygons": "/collections/public.bench_polygons",
        },
        process,
        note,
        geojson="geojson",
        tiles={
            "points": "/collections/public.bench_points/tiles/WebMercatorQuad/{z}/{x}/{y}",
            "polygons": "/collections/public.bench_polygons/tiles/WebMercatorQuad/{z}/{x}/{y}",
        },
    )
    server.wait("/collections/public.bench_points")
    return server


PYGEOAPI_CONFIG = """
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  languages: [en-US]
  limit: 10
  limits: {{default_items: 10, max_items: 10000}}
  map: {{url: 'https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png', attribution: OSM}}
logging: {{level: ERROR}}
metadata:
  identification: {{title: bench, description: bench, keywords: [bench], keywords_type: theme,
                    terms_of_service: none, url: 'http://example.org'}}
  license: {{name: CC-BY 4.0, url: 'https://creativecommons.org/licenses/by/4.0/'}}
  provider: {{name: bench, url: 'http://example.org'}}
  contact: {{name: bench}}
resources:
{resources}
"""
PYGEOAPI_RESOURCE = """
  {table}:
    type: collection
    title: {table}
    description: synthetic benchmark data
    keywords: [bench]
    extents: {{spatial: {{bbox: [23.5, 51.5, 32.5, 56.0],
                         crs: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84'}}}}
    providers:
      - type: feature
        name: PostgreSQL
        data: {{host: 127.0.0.1, port: {pgport}, dbname: {db}, user: geoportal, password: '',
               search_path: [public]}}
        id_field: id
        table: {table}
        geom_field: geom
"""


def start_pygeoapi(tmp):
    venv, note = make_venv(
        tmp, "pygeoapi", ["pygeoapi", "gunicorn", "psycopg2-binary", "SQLAlchemy", "GeoAlchemy2"]
    )
    port = free_port()
    resources = "".join(
        PYGEOAPI_RESOURCE.format(table=table, pgport=PGPORT, db=BENCH_DB)
        for table in ("bench_points", "bench_polygons")
    )
    config = tmp / "pygeoapi.yml"
    config.write_text(PYGEOAPI_CONFIG.format(port=port, resources=resources))
    openapi = tmp / "pygeoapi-openapi.yml"
    env = {**os.environ, "PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    result = subprocess.run(
        [str(venv / "bin/pygeoapi"), "openapi", "generate", str(config), "--output-file",
         str(openapi)], env=env, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"openapi generate failed: {result.stderr.strip()[-300:]}")
    process = subprocess.Popen(
        [str(venv / "bin/gunicorn"), "pygeoapi.flask_app:APP", "-w", "2", "-b",
         f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, stderr=subprocess.STDOUT,
        stdout=open(tmp / "pygeoapi.log", "w"),  # noqa: SIM115
    )  # fmt: skip
    server = Server(
        "pygeoapi",
        port,
        {"points": "/collections/bench_points", "polygons": "/collections/bench_polygons"},
        process,
        note,
    )
    server.wait("/collections/bench_points?f=json")
    return server


# --- load ---------------------------------------------------------------------------------------
