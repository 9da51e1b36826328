"""Benchmark: this portal's OGC API - Features against tipg and pygeoapi, on the same PostGIS.

    export PGPORT=... REDIS_PORT=...
    .venv/bin/python bench/ogc.py            # 500,000 points and 100,000 polygons
    .venv/bin/python bench/ogc.py --small    # 5,000 and 1,000, to try the script quickly

It builds a separate database (geoportal_bench) in the project's PostgreSQL: one portal layer of
points and one of polygons (synthetic: random positions over Belarus, labelled as such), and the
same rows as two plain tables with a GiST index for the peers. It serves them at once through
  - the portal: gunicorn, 2 workers (settings as in production, DEBUG off);
  - tipg (pip `tipg`, uvicorn, 2 workers);
  - pygeoapi (pip `pygeoapi`, gunicorn, 2 workers, PostgreSQL provider);
each peer in its own venv in a temporary folder, never in the project's dependencies. A peer
that cannot be installed or started is skipped, and the script says which and why.

For each server it measures requests per second and p50/p95 latency for: items with limit 100
in a small bbox, items with limit 1000, and a single item, on both tables; MVT tiles at z13-15
(random places over the area) on the portal and tipg; pygeoapi serves no tiles from PostgreSQL.
Then it prints the table and the ratios portal/peer.
"""

import argparse
import http.client
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from servers import (
    AREA,
    BENCH_DB,
    DB_URL,
    PGPORT,
    ROOT,
    log,
    sh,
    start_portal,
    start_pygeoapi,
    start_tipg,
)


def build_database(points, polygons):
    env = {**os.environ, "DATABASE_URL": DB_URL}
    psql = ["psql", "-h", "127.0.0.1", "-p", PGPORT, "-U", "geoportal", "-d", "geoportal", "-qc"]
    sh(*psql, f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
    sh(*psql, f'CREATE DATABASE "{BENCH_DB}"')
    sh(str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "-v", "0", env=env, cwd=ROOT)
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoportal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from layers.models import Layer

    minx, miny, maxx, maxy = AREA
    attributes = [{"name": "name", "type": "String"}, {"name": "kind", "type": "String"},
                  {"name": "rank", "type": "Integer"}]  # fmt: skip
    layers = {}
    for slug, count, geometry in (
        ("bench-points", points,
         f"ST_SetSRID(ST_MakePoint({minx} + random() * {maxx - minx}, "
         f"{miny} + random() * {maxy - miny}), 4326)"),
        ("bench-polygons", polygons,
         f"ST_Expand(ST_SetSRID(ST_MakePoint({minx} + random() * {maxx - minx}, "
         f"{miny} + random() * {maxy - miny}), 4326), 0.002)"),
    ):  # fmt: skip
        layer = Layer.objects.create(
            slug=slug, title_en=f"Benchmark {slug[6:]} (synthetic)", is_public=True,
            status=Layer.Status.READY, version=1, attributes=attributes, feature_count=count,
            geometry_type="Point" if "points" in slug else "Polygon",
        )  # fmt: skip
        layers[slug] = layer
        table = slug.replace("-", "_")
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(0.42)")
            cursor.execute(
                f"INSERT INTO layers_feature (layer_id, geom, properties, source_fid) "
                f"SELECT %s, {geometry}, jsonb_build_object('name', 'Feature ' || g, "
                f"'kind', (ARRAY['school', 'clinic', 'park'])[1 + g %% 3], 'rank', g), g "
                f"FROM generate_series(1, %s) AS g",
                [layer.pk, count],
            )
            geometry_type = "Point" if "points" in slug else "Polygon"
            cursor.execute(
                f"CREATE TABLE {table} AS SELECT id, "
                f"geom::geometry({geometry_type}, 4326) AS geom, "
                f"properties->>'name' AS name, properties->>'kind' AS kind, "
                f"(properties->>'rank')::integer AS rank FROM layers_feature WHERE layer_id = %s",
                [layer.pk],
            )
            cursor.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (id)")
            cursor.execute(f"CREATE INDEX ON {table} USING gist (geom)")
            cursor.execute(
                "UPDATE layers_layer SET extent = (SELECT ST_Envelope(ST_Extent(geom))::geometry "
                "FROM layers_feature WHERE layer_id = %s) WHERE id = %s",
                [layer.pk, layer.pk],
            )
        log(f"  {slug}: {count:,} features; table {table} for the peers")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        ids = {}
        for slug, layer in layers.items():
            cursor.execute(
                "SELECT id FROM layers_feature WHERE layer_id = %s ORDER BY random() LIMIT 200",
                [layer.pk],
            )
            ids[slug] = [row[0] for row in cursor.fetchall()]
    connection.close()
    return ids


# --- servers ------------------------------------------------------------------------------------


def tile_at(lon, lat, z):
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return {"z": z, "x": x, "y": y}


def scenarios(ids, rng):
    """name -> (table, function giving the next path suffix, or the {z}/{x}/{y} of a tile)."""
    boxes = []
    for _ in range(200):
        x = rng.uniform(AREA[0], AREA[2] - 0.1)
        y = rng.uniform(AREA[1], AREA[3] - 0.05)
        boxes.append(f"{x:.4f},{y:.4f},{x + 0.1:.4f},{y + 0.05:.4f}")
    result = {}
    for table, slug in (("points", "bench-points"), ("polygons", "bench-polygons")):
        result[f"{table}: items limit 100, small bbox"] = (
            table,
            lambda boxes=boxes: f"/items?f=json&limit=100&bbox={rng.choice(boxes)}",
        )
        result[f"{table}: items limit 1000"] = (table, lambda: "/items?f=json&limit=1000")
        result[f"{table}: single item"] = (
            table,
            lambda slug=slug: f"/items/{rng.choice(ids[slug])}?f=json",
        )
        for z in (13, 14, 15):
            # Tiles at random places over the area, the same for every server.
            result[f"{table}: MVT tile z{z}"] = (
                table,
                lambda z=z: tile_at(
                    rng.uniform(AREA[0], AREA[2]), rng.uniform(AREA[1], AREA[3]), z
                ),
            )
    return result  # fmt: skip


def measure(server, table, next_suffix, *, requests, seconds, concurrency):
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="5,000 points, 1,000 polygons")
    parser.add_argument("--points", type=int, default=500_000)
    parser.add_argument("--polygons", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400, help="per scenario and server")
    parser.add_argument("--seconds", type=float, default=20, help="cap per scenario and server")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--skip", action="append", default=[], help="peer to leave out")
    args = parser.parse_args()
    if args.small:
        args.points, args.polygons = 5_000, 1_000

    log(f"Building {BENCH_DB}: {args.points:,} points, {args.polygons:,} polygons (synthetic)")
    started = time.time()
    ids = build_database(args.points, args.polygons)
    log(f"  built in {time.time() - started:.0f} s")

    tmp = Path(tempfile.mkdtemp(prefix="bench-ogc-"))
    servers, skipped = [], []
    try:
        for name, start in (("portal", start_portal), ("tipg", start_tipg),
                            ("pygeoapi", start_pygeoapi)):  # fmt: skip
            if name in args.skip:
                skipped.append((name, "left out with --skip"))
                continue
            log(f"Starting {name} ...")
            try:
                server = start(tmp)
                servers.append(server)
                log(f"  {name} on port {server.port} {server.note}")
            except Exception as exc:  # any failure of a peer: report it, run the rest
                skipped.append((name, str(exc)))
                log(f"  SKIPPED {name}: {exc}")
        if not servers or servers[0].name != "portal":
            raise SystemExit("The portal did not start; see " + str(tmp / "portal.log"))

        rng = random.Random(42)
        results = {}
        for scenario, (table, next_suffix) in scenarios(ids, rng).items():
            for server in servers:
                if "MVT" in scenario and table not in server.tiles:
                    continue  # this server serves no vector tiles
                figures = measure(server, table, next_suffix,
                                  requests=args.requests, seconds=args.seconds,
                                  concurrency=args.concurrency)  # fmt: skip
                results[(scenario, server.name)] = figures
                log(f"  {scenario:38} {server.name:9} {figures['rps']:8.1f} req/s  "
                    f"p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms  "
                    f"failed {figures['failures']}")  # fmt: skip
                if figures["first_failure"]:
                    log(f"      first failure: {figures['first_failure']}")

        names = [server.name for server in servers]
        log("\n| Scenario | " + " | ".join(f"{n} req/s (p50/p95 ms)" for n in names)
            + " | " + " | ".join(f"portal / {n}" for n in names[1:]) + " |")  # fmt: skip
        log("|---" * (1 + len(names) + len(names) - 1) + "|")
        for scenario in scenarios(ids, rng):
            cells = []
            for name in names:
                f = results.get((scenario, name))
                if f is None:
                    cells.append("no tiles")
                    continue
                fail = f", {f['failures']} failed" if f["failures"] else ""
                cells.append(f"{f['rps']:.0f} ({f['p50']:.0f}/{f['p95']:.0f}{fail})")
            portal = results[(scenario, "portal")]["rps"]
            ratios = [
                f"{portal / results[(scenario, n)]['rps']:.1f}x"
                if results.get((scenario, n), {}).get("rps")
                else "n/a"
                for n in names[1:]
            ]
            log(f"| {scenario} | " + " | ".join(cells + ratios) + " |")
        log(f"\n{args.points:,} points, {args.polygons:,} polygons; {args.concurrency} concurrent "
            f"clients; up to {args.requests} requests or {args.seconds:.0f} s per cell; "
            f"{os.cpu_count()} cores shared by servers, PostgreSQL and the client.")  # fmt: skip
        for server in servers[1:]:
            log(f"{server.name}: {server.note}")
        for name, reason in skipped:
            log(f"SKIPPED {name}: {reason}")
        failed = sum(f["failures"] for f in results.values())
        log(f"Failed requests: {failed}")
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
