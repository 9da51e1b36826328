"""The servers and databases of the benchmarks: each benchmark's own PostgreSQL database in the
project's cluster (geoportal_bench for bench/ogc.py, geoportal_bench_tiles, ..._import) and the
benchmarks' Redis database number (BENCH_REDIS_DB, 2 by default; the portal's is 0, the tests'
1), so that a run never touches the portal's data, cache or Celery queue; gunicorn on the portal
(DEBUG off); tipg (uvicorn) and pygeoapi (gunicorn), each peer in its own venv in a temporary
folder, never in the project's dependencies; and the HTTP load that bench/ogc.py sends them.
"""

import glob
import http.client
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PGPORT = os.environ.get("PGPORT", "54329")
REDIS_PORT = os.environ.get("REDIS_PORT", "63799")
BENCH_REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "2"))
BENCH_DB = "geoportal_bench"


def database_url(db, scheme="postgis"):
    return f"{scheme}://geoportal@127.0.0.1:{PGPORT}/{db}"


PG_URL = database_url(BENCH_DB, "postgresql")


def bench_env(db=None):
    """The environment of a portal process on the benchmark's database (db; None keeps the
    DATABASE_URL it has) and on the benchmarks' Redis number: its cache keys, throttle counters
    and any queued task stay there. The API rates are set out of reach so that no benchmark
    request is refused (the throttle still runs and is measured)."""
    portal_redis = os.environ.get("REDIS_URL", f"redis://127.0.0.1:{REDIS_PORT}/0")
    redis_url = urlsplit(portal_redis)._replace(path=f"/{BENCH_REDIS_DB}").geturl()
    database = {"DATABASE_URL": database_url(db)} if db else {}
    return {
        **os.environ,
        **database,
        "REDIS_URL": redis_url,
        "CACHE_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CACHE_KEY_PREFIX": "geoportal-bench",
        # The tiles a run leaves in its Redis number expire within the hour.
        "TILE_CACHE_SECONDS": "3600",
        "API_RATE_ANON": "100000000/minute",
        "API_RATE_USER": "100000000/minute",
        "OGC_RATE": "100000000/minute",
        "TILE_RATE": "100000000/minute",
        "PAGE_RATE": "100000000/minute",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "BASEMAP_URL": "",
    }


def benchmark_database(db):
    """`db` if it is a benchmark's own database (geoportal_bench...), the only kind a benchmark
    may create or drop; else a ValueError."""
    if not db.startswith("geoportal_bench"):
        raise ValueError(f"{db} is not a benchmark database")
    return db


def create_database(db):
    """Drop and create the benchmark's own database `db` (never another), then migrate it."""
    import psycopg

    benchmark_database(db)
    with psycopg.connect(database_url("postgres", "postgresql"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
        conn.execute(f'CREATE DATABASE "{db}"')
    python = str(ROOT / ".venv/bin/python")
    sh(python, "manage.py", "migrate", "-v", "0", env=bench_env(db), cwd=ROOT)


def drop_database(db):
    """Drop the benchmark's database, after closing this process's own connections to it."""
    import psycopg

    benchmark_database(db)
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()

    with psycopg.connect(database_url("postgres", "postgresql"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}"')


def setup_django(db=None):
    """Django in this process, on the benchmark's database (None: DATABASE_URL as it is) and
    the benchmarks' Redis number."""
    os.environ.update(bench_env(db))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoportal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


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


def start_gunicorn(env, workers=2, threads=1, port=None, log=None, root=ROOT):
    """gunicorn on the portal with `env`: (process, port). With threads > 1, gthread workers
    (keep-alive; a worker's threads overlap their waits on the database), else sync workers, as
    README's production command runs it. `root`: the checkout whose code it runs (another one,
    e.g. an export of an earlier commit, for a before/after in one run). Returns once the port
    accepts connections."""
    port = port or free_port()
    kind = ["-k", "gthread", "--threads", str(threads), "--keep-alive", "30"] * (threads > 1)
    process = subprocess.Popen(
        [str(Path(root) / ".venv/bin/gunicorn"), "geoportal.wsgi", "-w", str(workers), *kind,
         "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=root, env=env, stderr=subprocess.STDOUT if log else None, stdout=log,
    )  # fmt: skip
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def start_portal(tmp, slugs, workers=2, threads=1):
    """The portal on the benchmark database as a Server; slugs maps the benchmark's table names
    to layer slugs."""
    log = open(tmp / "portal.log", "w")  # noqa: SIM115 (the server process keeps it)
    process, port = start_gunicorn(bench_env(BENCH_DB), workers, threads, log=log)
    server = Server(
        "portal",
        port,
        {table: f"/ogc/collections/{slug}" for table, slug in slugs.items()},
        process,
        note=f"gunicorn {workers} workers" + f" x {threads} threads (gthread)" * (threads > 1),
        tiles={table: f"/tiles/{slug}/{{z}}/{{x}}/{{y}}.pbf" for table, slug in slugs.items()},
    )
    server.wait(next(iter(server.collections.values())))
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


def tile_at(lon, lat, z):
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return {"z": z, "x": x, "y": y}


def measure(server, table, next_suffix, *, requests, seconds, concurrency):
    """One round of load on one server: `concurrency` keep-alive clients until `requests` are
    done or `seconds` have passed. next_suffix() gives the next path after the collection's, or
    the {z, x, y} of a tile. Returns requests per second, p50/p95 ms and the failures."""
    latencies, failures, lock = [], [], threading.Lock()

    def next_path():
        """(path, whether it is a tile)"""
        suffix = next_suffix()
        if isinstance(suffix, dict):
            return server.tiles[table].format(**suffix), True
        return server.collections[table] + suffix.replace("f=json", f"f={server.geojson}"), False

    def succeeded(status, body, tile):
        if tile:
            return status in (200, 204)  # an empty tile may come as 204 No Content
        return status == 200 and body[:1] == b"{"

    deadline = [None]
    remaining = [requests]

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        while True:
            with lock:
                if remaining[0] <= 0 or time.time() > deadline[0]:
                    return
                remaining[0] -= 1
                path, tile = next_path()
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": "application/geo+json"})
                response = conn.getresponse()
                body = response.read()
                ok = succeeded(response.status, body, tile)
            except (OSError, http.client.HTTPException) as exc:
                ok, body = False, str(exc).encode()
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            elapsed = time.perf_counter() - start
            with lock:
                (latencies if ok else failures).append(elapsed if ok else (path, body[:200]))

    # Warm up: a few requests on one connection, not counted.
    warm = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    for _ in range(3):
        warm.request("GET", next_path()[0])
        warm.getresponse().read()
    warm.close()
    deadline[0] = time.time() + seconds
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    done = len(latencies)
    quantiles = statistics.quantiles(latencies, n=20) if done >= 2 else [float("nan")] * 19
    return {
        "requests": done + len(failures),
        "rps": done / wall if wall else 0,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p95": quantiles[18] * 1000,
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
    }
