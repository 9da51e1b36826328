"""Vector tile throughput, in alternating rounds: the /tiles/ endpoint through gunicorn beside the
same ST_AsMVT SQL run directly on PostGIS; cached tiles beside a static file through Django.

    export PGPORT=.. REDIS_PORT=..; .venv/bin/python bench/tiles.py            # full size
    .venv/bin/python bench/tiles.py --points 20000 --polygons 2000 --tiles 16  # a quick look
    .venv/bin/python bench/tiles.py --sizes 10000,100000,1000000               # growth table

It works in its own database (geoportal_bench_tiles, dropped afterwards unless --keep) and its own
Redis database number (bench/servers.py): it never clears a cache. It loads two SYNTHETIC layers
(random points and small squares over Belarus's bounding box; not real data), starts gunicorn, and
for each layer and zoom takes the --tiles tiles nearest Minsk, then in --rounds rounds:
  raw       the layer's tile SQL (layers.tiles.tile_sql) on direct psycopg connections;
  endpoint  GET /tiles/<layer>/{z}/{x}/{y}.pbf through gunicorn, uncached: before each of its
            rounds the layer is saved, which gives its tiles new cache keys as any edit does;
and then, alternating, cached tiles (all the tiles above, now in the cache) and a static file
served by WhiteNoise through the same gunicorn (the ceiling of this client and server).
Aims: uncached endpoint within 1.3x of raw (issue 4); cached tiles at least 1,000/s through
gunicorn and no slower than a static file (issue 16). With --against DIR the cached rounds also
read the same tiles through a second gunicorn running the checkout in DIR (an export of an
earlier commit, with its .venv and var/static linked), in turn with the others: a before/after of
cached tiles in one machine state.

With --sizes it loads one point layer per size and compares the endpoint's rate at each size with
the smallest's (uncached tiles at z12 and z15 at fixed random places, cached z15 tiles): an
index-bound tile costs the same at every size (aim: at most 1.3x the smallest's cost).
"""

import argparse
import http.client
import math
import queue
import random
import time
from concurrent.futures import ThreadPoolExecutor
from statistics import median

from rounds import (
    Aim,
    alternate,
    describe,
    load_average,
    ratios,
    relative_cost_header,
    relative_costs,
    verdict,
)
from rounds import table as markdown_table
from servers import bench_env, database_url, drop_database, start_gunicorn
from synthetic import AREA, build_database

BENCH_DB = "geoportal_bench_tiles"
MINSK = (27.56, 53.90)
ZOOMS = (6, 8, 10, 12, 14)
STATIC_FILE = "/static/css/portal.css"
UNCACHED = Aim(1.3, at_least=False)
CACHED = Aim(1000, unit="/s")
AS_STATIC = Aim(1.0)


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


def random_tiles(z, count, seed=7):
    """`count` tiles of zoom z at random places over the area, the same for every layer."""
    rng, n = random.Random(seed), 2**z
    found = []
    for _ in range(count):
        lon, lat = rng.uniform(AREA[0], AREA[2]), rng.uniform(AREA[1], AREA[3])
        y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
        found.append((z, int((lon + 180) / 360 * n), int(y)))
    return found


def run_threads(work, items, concurrency):
    """Run work(item) over items on `concurrency` threads: items per second."""
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(work, items))
    return len(items) / (time.perf_counter() - started)


class Connections:
    """Connections kept open across rounds (a round's threads are new), so that no round pays
    for connecting: work(item) borrows one, or opens one the first time."""

    def __init__(self, connect):
        self.connect, self.idle = connect, queue.SimpleQueue()

    def run(self, use):
        def work(item):
            try:
                conn = self.idle.get_nowait()
            except queue.Empty:
                conn = self.connect()
            try:
                use(conn, item)
            except (ConnectionError, http.client.RemoteDisconnected):
                # A kept-alive connection the server closed meanwhile (a worker restarted by
                # its timeout on a crowded machine): once more on a new one.
                conn.close()
                conn = self.connect()
                use(conn, item)
            finally:
                self.idle.put(conn)

        return work


def raw_sql(layer):
    import psycopg

    from layers.tiles import TileRequest, tile_sql

    def use(conn, tile):
        sql, params = tile_sql(layer, TileRequest(*tile))
        conn.execute(sql, params).fetchone()

    # Bound on the client and never prepared, as Django sends it: a prepared statement would
    # switch to a generic plan that cannot see the tile's envelope nor prune to the partition.
    url = database_url(BENCH_DB, "postgresql")
    return Connections(
        lambda: psycopg.connect(
            url, autocommit=True, cursor_factory=psycopg.ClientCursor, prepare_threshold=None
        )
    ).run(use)


def http_get(port, path_of):
    def use(conn, item):
        conn.request("GET", path_of(item))
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status} for {path_of(item)}")

    return Connections(lambda: http.client.HTTPConnection("127.0.0.1", port, timeout=600)).run(use)


def tile_path(layer):
    return lambda tile: f"/tiles/{layer.slug}/{tile[0]}/{tile[1]}/{tile[2]}.pbf"


def uncached(layer, tiles, get, concurrency):
    """A round of the endpoint (get) on tiles not in the cache: the layer saved first, as an
    edit would (new cache keys; the old ones expire in the benchmark's Redis number)."""

    def run(number):
        layer.save()
        return run_threads(get, tiles, concurrency)

    return run


def progress(row):
    return lambda name, number, rate: print(
        f"  {row:24} round {number + 1} {name:16} {rate:8.1f}/s", flush=True
    )


def compare(args, layers):
    """Raw SQL against the uncached endpoint per layer and zoom, then cached tiles against a
    static file; returns the rows of the table."""
    rows, raw_all, endpoint_all, every_tile = [], [], [], []
    for layer in layers:
        raw, get = raw_sql(layer), http_get(args.port, tile_path(layer))
        for z in ZOOMS:
            tiles = tiles_around(*MINSK, z, args.tiles)
            every_tile += [(layer, tile) for tile in tiles]
            row = f"{layer.slug} z{z}"
            rates = alternate(
                {
                    "raw": lambda n, raw=raw, tiles=tiles: run_threads(
                        raw, tiles, args.concurrency
                    ),
                    "endpoint": uncached(layer, tiles, get, args.concurrency),
                },
                args.rounds,
                progress(row),
            )
            # Seconds per round, to add up into the all-tiles row.
            raw_all.append([len(tiles) / rate for rate in rates["raw"]])
            endpoint_all.append([len(tiles) / rate for rate in rates["endpoint"]])
            slowdown = ratios(rates["raw"], rates["endpoint"])
            verdicts = f"{describe(slowdown)}; aim {UNCACHED}: {verdict(slowdown, UNCACHED)}"
            rows.append([row, len(tiles), f"{median(rates['raw']):.1f}",
                         f"{median(rates['endpoint']):.1f}", verdicts])  # fmt: skip
    raw_seconds = [sum(per_round) for per_round in zip(*raw_all, strict=True)]
    endpoint_seconds = [sum(per_round) for per_round in zip(*endpoint_all, strict=True)]
    slowdown = ratios(endpoint_seconds, raw_seconds)
    count = len(every_tile)
    verdicts = f"{describe(slowdown)}; aim {UNCACHED}: {verdict(slowdown, UNCACHED)}"
    rows.append(["all tiles above", count, f"{count / median(raw_seconds):.1f}",
                 f"{count / median(endpoint_seconds):.1f}", verdicts])  # fmt: skip

    # Cached: one pass puts every tile above in the cache under the layer's current version
    # (each uncached round gave it a new one), then the rounds read them.
    paths = [tile_path(layer)(tile) for layer, tile in every_tile]
    tile, static = (
        http_get(args.port, lambda path: path),
        http_get(args.port, lambda path: STATIC_FILE),
    )
    run_threads(tile, paths, args.concurrency)
    paths = (paths * (args.cached_requests // len(paths) + 1))[: args.cached_requests]
    variants = {
        "cached tile": lambda n: run_threads(tile, paths, args.concurrency),
        "static file": lambda n: run_threads(static, paths, args.concurrency),
    }
    if args.against_port:
        other = http_get(args.against_port, lambda path: path)
        run_threads(other, paths, args.concurrency)
        variants["--against"] = lambda n: run_threads(other, paths, args.concurrency)
    rates = alternate(variants, args.rounds, progress("cached"))
    as_static = ratios(rates["cached tile"], rates["static file"])
    cached_rows = [
        ["cached tiles per second", describe(rates["cached tile"], "/s"),
         f"{CACHED}: {verdict(rates['cached tile'], CACHED)}"],
        ["static file per second (WhiteNoise)", describe(rates["static file"], "/s"), ""],
        ["cached tile / static file", describe(as_static),
         f"{AS_STATIC}: {verdict(as_static, AS_STATIC)}"],
    ]  # fmt: skip
    if args.against_port:
        against = rates["--against"]
        cached_rows += [
            [f"cached tiles per second, {args.against}", describe(against, "/s"), ""],
            ["cached tiles: this checkout / --against", describe(ratios(rates["cached tile"],
                                                                        against)), ""],
        ]  # fmt: skip
    return rows, cached_rows


def growth(args, layers, sizes):
    """The endpoint at each layer size against the smallest, in alternating rounds."""
    from django.core.cache import cache

    from layers.access import layer_cache_version
    from layers.tiles import TileRequest, cache_key

    rows = []
    for label, z, cached in (("uncached z12", 12, False), ("uncached z15", 15, False),
                             ("cached z15", 15, True)):  # fmt: skip
        tiles = random_tiles(z, args.tiles)
        variants = {}
        for size, layer in zip(sizes, layers, strict=True):
            get = http_get(args.port, tile_path(layer))
            if cached:
                run_threads(get, tiles, args.concurrency)
                version = layer_cache_version(layer)
                keys = [cache_key(layer.slug, TileRequest(*tile)) for tile in tiles]
                cached_versions = [(cache.get(key) or ("",))[0] for key in keys]
                assert set(cached_versions) == {version}, "tiles not cached"
                variants[f"{size:,}"] = lambda n, get=get, tiles=tiles: run_threads(
                    get, tiles * 10, args.concurrency
                )
            else:
                variants[f"{size:,}"] = uncached(layer, tiles, get, args.concurrency)
        rates = alternate(variants, args.rounds, progress(label))
        cells = [label] + [f"{median(rate):.0f}" for rate in rates.values()]
        rows.append(cells + relative_costs(rates))
    header = ["tiles", *(f"{size:,} points: tiles/s" for size in sizes)]
    return markdown_table(header + relative_cost_header(sizes), rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--polygons", type=int, default=100_000)
    parser.add_argument("--sizes", help="growth table: point layer sizes, e.g. 10000,100000")
    parser.add_argument("--tiles", type=int, default=64, help="tiles per zoom level")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cached-requests", type=int, default=2000, help="per cached round")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--against", help="another checkout: its cached tiles in the same rounds")
    args = parser.parse_args()
    args.against_port = None

    before = load_average()
    print(f"building {BENCH_DB}; {before}", flush=True)
    if args.sizes:
        sizes = sorted(int(size) for size in args.sizes.split(","))
        specs = [(f"bench-points-{n}", n, "Point") for n in sizes]
    else:
        specs = [("bench-points", args.points, "Point"),
                 ("bench-polygons", args.polygons, "Polygon")]  # fmt: skip
    build_database(BENCH_DB, specs)
    from layers.models import Layer

    layers = [Layer.objects.get(slug=spec[0]) for spec in specs]
    server, args.port = start_gunicorn(bench_env(BENCH_DB), args.workers, args.threads, args.port)
    servers = [server]
    if args.against:
        other, args.against_port = start_gunicorn(bench_env(BENCH_DB), args.workers,
                                                   args.threads, root=args.against)  # fmt: skip
        servers.append(other)
    print(
        f"gunicorn: {args.workers} workers x {args.threads} threads; {args.concurrency} client "
        f"threads; {args.rounds} rounds, variants in turn; {load_average()}\n",
        flush=True,
    )
    try:
        if args.sizes:
            print("\n" + growth(args, layers, sizes))
        else:
            rows, cached_rows = compare(args, layers)
            header = ["tiles", "count", "raw/s", "endpoint/s (uncached)",
                      "endpoint / raw time: median (spread); aim"]  # fmt: skip
            print("\n" + markdown_table(header, rows))
            print("\n" + markdown_table(["cached", "median (spread)", "aim"], cached_rows))
            print(f"\n{args.points:,} points, {args.polygons:,} polygons")
    finally:
        for process in servers:
            process.terminate()
            process.wait()
        if not args.keep:
            drop_database(BENCH_DB)
    print(f"before: {before}\nafter:  {load_average()}")


if __name__ == "__main__":
    main()
