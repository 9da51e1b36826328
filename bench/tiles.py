"""Vector tile throughput: the /tiles/ endpoint served by gunicorn (uncached and cached) beside
the same ST_AsMVT SQL run directly on PostGIS.

    export PGPORT=.. REDIS_PORT=..; .venv/bin/python bench/tiles.py            # full size
    .venv/bin/python bench/tiles.py --points 20000 --polygons 2000 --tiles 20  # a quick look

It loads two SYNTHETIC layers (random points and small squares over Belarus's bounding box; not
real data, public only while the benchmark runs, deleted afterwards unless --keep), then for
each zoom takes the tiles over Minsk and fetches them with --concurrency client threads:
  raw       the layer's tile SQL (layers.tiles.tile_sql) on direct psycopg connections;
  uncached  GET /tiles/<layer>/{z}/{x}/{y}.pbf through gunicorn, none of the tiles cached (the
            layer is saved first: a new cache version, as after an edit);
  cached    the same requests again, served from the cache (Redis).
Aims (issue 4): uncached within 1.3x of raw; cached over 1,000 tiles/s.

The cache is a Redis database of the benchmark's own (BENCH_REDIS_DB, default 2), never the
portal's or the tests'; nothing is cleared.
"""

import argparse
import http.client
import math
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoportal.settings")
# Its own Redis database, for this process and the gunicorn it starts (set before Django reads it).
_redis = os.environ.get("REDIS_URL", f"redis://127.0.0.1:{os.environ.get('REDIS_PORT', 63799)}/0")
os.environ["REDIS_URL"] = os.environ["CACHE_URL"] = (
    urlsplit(_redis)._replace(path=f"/{os.environ.get('BENCH_REDIS_DB', '2')}").geturl()
)
os.environ.pop("CELERY_BROKER_URL", None)

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.db import connection  # noqa: E402

from layers.models import Layer  # noqa: E402
from layers.tiles import TileRequest, tile_sql  # noqa: E402

BELARUS = (23.2, 51.3, 32.7, 56.1)
MINSK = (27.56, 53.90)
ZOOMS = (6, 8, 10, 12, 14)


def make_layer(slug, title, geometry_type, count, geometry_sql):
    Layer.objects.filter(slug=slug).delete()
    layer = Layer.objects.create(
        slug=slug, title_en=title, geometry_type=geometry_type, is_public=True,
        status=Layer.Status.READY, version=1, feature_count=count,
        attributes=[{"name": "n", "type": "integer"}, {"name": "kind", "type": "string"}],
        abstract_en="Synthetic benchmark data, not real: random geometries over Belarus.",
    )  # fmt: skip
    minx, miny, maxx, maxy = BELARUS
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO layers_feature (layer_id, geom, properties, source_fid)
                SELECT %(layer)s, {geometry_sql},
                       jsonb_build_object('n', i,
                                          'kind', (ARRAY['school', 'park', 'shop'])[1 + i %% 3]),
                       i
                FROM (SELECT i, %(minx)s + random() * (%(maxx)s - %(minx)s) AS x,
                                %(miny)s + random() * (%(maxy)s - %(miny)s) AS y
                      FROM generate_series(1, %(count)s) AS i) AS r""",
            {"layer": layer.pk, "count": count, "minx": minx, "miny": miny, "maxx": maxx,
             "maxy": maxy},
        )  # fmt: skip
        cursor.execute("ANALYZE layers_feature")
    print(f"loaded {count:,} features into {slug} in {time.perf_counter() - started:.1f} s")
    return layer


def tiles_around(lon, lat, z, limit):
    """Up to `limit` tiles of zoom z nearest to (lon, lat), in a square spiral."""
    n = 2**z
    cx = int((lon + 180) / 360 * n)
    cy = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    radius = math.ceil(math.sqrt(limit) / 2)
    found = [
        (z, x, y)
        for x in range(cx - radius, cx + radius + 1)
        for y in range(cy - radius, cy + radius + 1)
        if 0 <= x < n and 0 <= y < n
    ]
    found.sort(key=lambda t: (t[1] - cx) ** 2 + (t[2] - cy) ** 2)
    return found[:limit]


def run_threads(work, items, concurrency):
    """Run work(item, local) over items on `concurrency` threads; tiles per second and bytes."""
    local = threading.local()
    sizes = []

    def one(item):
        sizes.append(work(item, local))

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, items))
    elapsed = time.perf_counter() - started
    return len(items) / elapsed, sum(sizes)


def raw_sql(layer, dsn):
    def work(tile, local):
        if not hasattr(local, "conn"):
            local.conn = psycopg.connect(dsn, autocommit=True)
        sql, params = tile_sql(layer, TileRequest(*tile))
        data = local.conn.execute(sql, params).fetchone()[0]
        return len(data or b"")

    return work


def http_get(port, layer):
    def work(tile, local):
        if not hasattr(local, "http"):
            local.http = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        z, x, y = tile
        local.http.request("GET", f"/tiles/{layer.slug}/{z}/{x}/{y}.pbf")
        response = local.http.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status} for {tile}")
        return len(body)

    return work


def start_gunicorn(port, workers, threads):
    env = {**os.environ, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "geoportal.wsgi",
               "-b", f"127.0.0.1:{port}", "-w", str(workers), "-k", "gthread",
               "--threads", str(threads), "--keep-alive", "30",
               "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def dsn():
    db = connection.settings_dict
    return (f"dbname={db['NAME']} host={db['HOST']} port={db['PORT']} user={db['USER']}"
            + (f" password={db['PASSWORD']}" if db.get("PASSWORD") else ""))  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--polygons", type=int, default=100_000)
    parser.add_argument("--tiles", type=int, default=64, help="tiles per zoom level")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument("--keep", action="store_true", help="keep the synthetic layers")
    args = parser.parse_args()

    points = make_layer("bench-points", "Synthetic benchmark points (not real data)", "Point",
                        args.points, "ST_SetSRID(ST_MakePoint(x, y), 4326)")  # fmt: skip
    squares = make_layer(
        "bench-polygons", "Synthetic benchmark polygons (not real data)", "Polygon",
        args.polygons, "ST_MakeEnvelope(x, y, x + 0.003 + random() * 0.01, y + 0.002, 4326)",
    )  # fmt: skip
    server = start_gunicorn(args.port, args.workers, args.threads)
    print(f"gunicorn: {args.workers} workers x {args.threads} threads; "
          f"{args.concurrency} client threads; {os.cpu_count()} CPUs\n")  # fmt: skip
    header = (f"{'layer':<15}{'z':>3}{'tiles':>6}{'avg kB':>8}{'raw/s':>9}{'http/s':>9}"
              f"{'raw:http':>9}{'cached/s':>10}")  # fmt: skip
    print(header)
    print("-" * len(header))
    totals = {"raw": [0, 0.0], "http": [0, 0.0], "cached": [0, 0.0]}
    try:
        for layer in (points, squares):
            for z in ZOOMS:
                tiles = tiles_around(*MINSK, z, args.tiles)
                raw, size = run_threads(raw_sql(layer, dsn()), tiles, args.concurrency)
                layer.save()  # a new cache version: none of its tiles is cached
                uncached, _ = run_threads(http_get(args.port, layer), tiles, args.concurrency)
                cached, _ = run_threads(http_get(args.port, layer), tiles * 10, args.concurrency)
                for name, rate, count in (("raw", raw, len(tiles)), ("http", uncached, len(tiles)),
                                          ("cached", cached, 10 * len(tiles))):  # fmt: skip
                    totals[name][0] += count
                    totals[name][1] += count / rate
                kilobytes = size / len(tiles) / 1024
                print(f"{layer.slug:<15}{z:>3}{len(tiles):>6}{kilobytes:>8.1f}{raw:>9.1f}"
                      f"{uncached:>9.1f}{raw / uncached:>9.2f}{cached:>10.0f}")  # fmt: skip
        rate = {name: count / seconds for name, (count, seconds) in totals.items()}
        print("-" * len(header))
        print(f"all tiles: raw {rate['raw']:.1f}/s, endpoint uncached {rate['http']:.1f}/s "
              f"(ratio {rate['raw'] / rate['http']:.2f}, aim <= 1.3), "
              f"cached {rate['cached']:.0f}/s (aim > 1000)")  # fmt: skip
    finally:
        server.terminate()
        server.wait()
        if not args.keep:
            Layer.objects.filter(slug__in=["bench-points", "bench-polygons"]).delete()


if __name__ == "__main__":
    main()
