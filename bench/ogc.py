"""Benchmark: this portal's OGC API - Features against tipg and pygeoapi on the same PostGIS,
in alternating rounds; or, with --sizes, the portal alone at several layer sizes (growth table).

    export PGPORT=... REDIS_PORT=...
    .venv/bin/python bench/ogc.py            # 500,000 points and 100,000 polygons
    .venv/bin/python bench/ogc.py --small    # 5,000 and 1,000, to try the script quickly
    .venv/bin/python bench/ogc.py --sizes 10000,100000,1000000   # the growth table

It builds its own database (geoportal_bench) in the project's PostgreSQL: a portal layer of
points and one of polygons (synthetic: random positions over Belarus, labelled as such; each in
its own partition, as an import leaves it), and the same rows as two plain tables with a GiST
index for the peers. It serves them at once through
  - the portal: gunicorn, 2 workers (DEBUG off, its own Redis database number);
  - tipg (pip `tipg`, uvicorn, 2 workers);
  - pygeoapi (pip `pygeoapi`, gunicorn, 2 workers, PostgreSQL provider);
each peer in its own venv in a temporary folder, never in the project's dependencies. A peer
that cannot be installed or started is skipped, and the script says which and why.

Scenarios: items with limit 100 in a small bbox, items with limit 1000, and a single item, on
both tables; MVT tiles at z13-15 (random places over the area) on the portal and tipg; pygeoapi
serves no tiles from PostgreSQL. Each scenario runs in --rounds short rounds, the servers in turn
(portal, tipg, pygeoapi, portal, ...); each row prints the median of the per-round ratios
portal/peer, their spread and whether the aim is met: every items row at least 3x tipg and 10x
pygeoapi, every tile row at least 1.5x tipg (issue 16).

With --sizes the portal alone serves one point layer per size, and each row (a single item, a
full page of 100 in a 1 x 0.5 degree bbox, a 1000-item page, tiles at z12 and z15) compares the
cost per request at each size with the smallest, in alternating rounds: an index-bound request
costs the same at every size (aim: at most 1.3x the smallest's).
"""

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

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
from servers import BENCH_DB, log, measure, start_portal, start_pygeoapi, start_tipg, tile_at
from synthetic import AREA, build_database

ITEM_AIMS = {"tipg": Aim(3), "pygeoapi": Aim(10)}
TILE_AIMS = {"tipg": Aim(1.5)}


def random_boxes(rng, width, height, count=200):
    boxes = []
    for _ in range(count):
        x = rng.uniform(AREA[0], AREA[2] - width)
        y = rng.uniform(AREA[1], AREA[3] - height)
        boxes.append(f"{x:.4f},{y:.4f},{x + width:.4f},{y + height:.4f}")
    return boxes


def random_tile(rng, z):
    return lambda: tile_at(rng.uniform(AREA[0], AREA[2]), rng.uniform(AREA[1], AREA[3]), z)


def scenarios(ids, rng):
    """name -> (table, function giving the next path suffix, or the {z}/{x}/{y} of a tile)."""
    boxes = random_boxes(rng, 0.1, 0.05)
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
            result[f"{table}: MVT tile z{z}"] = (table, random_tile(rng, z))
    return result


def growth_scenarios(ids, rng):
    """name -> {size table: next suffix}: requests whose answer is the same size at every layer
    size (a bbox of 1 x 0.5 degrees holds over 100 features from 10,000 points up), and tiles,
    whose content grows with the layer (z12) or stays nearly empty (z15)."""
    boxes = random_boxes(rng, 1.0, 0.5)
    rows = {
        "single item": lambda slug: lambda: f"/items/{rng.choice(ids[slug])}?f=json",
        "items limit 100, 1 x 0.5 degree bbox": lambda slug: (
            lambda: f"/items?f=json&limit=100&bbox={rng.choice(boxes)}"
        ),
        "items limit 1000": lambda slug: lambda: "/items?f=json&limit=1000",
        "MVT tile z12": lambda slug: random_tile(rng, 12),
        "MVT tile z15": lambda slug: random_tile(rng, 15),
    }
    return {name: {slug: make(slug) for slug in ids} for name, make in rows.items()}


def start_servers(tmp, slugs, skip, threads=1):
    """The portal and whichever peers start (the peers only for the comparison)."""
    servers, skipped = [], []
    starters = [("portal", lambda: start_portal(tmp, slugs, threads=threads))]
    if skip is not None:
        starters += [("tipg", lambda: start_tipg(tmp)), ("pygeoapi", lambda: start_pygeoapi(tmp))]
    for name, start in starters:
        if name in (skip or ()):
            skipped.append((name, "left out with --skip"))
            continue
        log(f"Starting {name} ...")
        try:
            server = start()
            servers.append(server)
            log(f"  {name} on port {server.port} {server.note}")
        except Exception as exc:  # any failure of a peer: report it, run the rest
            skipped.append((name, str(exc)))
            log(f"  SKIPPED {name}: {exc}")
    if not servers or servers[0].name != "portal":
        raise SystemExit("The portal did not start; see " + str(tmp / "portal.log"))
    return servers, skipped


def run_row(name, variants, args):
    """Alternating rounds of one row: {variant: [measure() result per round]}."""
    results = {variant: [] for variant in variants}

    def round_of(variant, server, table, next_suffix):
        def run(number):
            figures = measure(server, table, next_suffix, requests=args.requests,
                              seconds=args.seconds, concurrency=args.concurrency)  # fmt: skip
            results[variant].append(figures)
            if figures["first_failure"]:
                log(f"      {variant} failed: {figures['first_failure']}")
            return figures["rps"]

        return run

    alternate(
        {variant: round_of(variant, *spec) for variant, spec in variants.items()},
        args.rounds,
        on_figure=lambda variant, number, rps: log(
            f"  {name:38} round {number + 1} {variant:18} {rps:8.1f} req/s"
        ),
    )
    return results


def median_of(figures, key):
    return statistics.median(f[key] for f in figures)


def compare(args, ids):
    """The portal against the peers: one table row per scenario."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-ogc-"))
    slugs = {"points": "bench-points", "polygons": "bench-polygons"}
    servers, skipped = start_servers(tmp, slugs, args.skip, args.threads)
    rows, before = [], load_average()
    try:
        log(f"\n{before}")
        rng = random.Random(42)
        for scenario, (table_name, next_suffix) in scenarios(ids, rng).items():
            tile = "MVT" in scenario
            variants = {s.name: (s, table_name, next_suffix) for s in servers
                        if not tile or table_name in s.tiles}  # fmt: skip
            results = run_row(scenario, variants, args)
            rps = {name: [f["rps"] for f in figures] for name, figures in results.items()}
            cells = [scenario]
            for server in servers:
                figures = results.get(server.name)
                cells.append(
                    f"{median_of(figures, 'rps'):.0f} ({median_of(figures, 'p50'):.0f})"
                    if figures else "no tiles"
                )  # fmt: skip
            for server in servers[1:]:
                aim = (TILE_AIMS if tile else ITEM_AIMS).get(server.name)
                if server.name not in rps:
                    cells.append("n/a")
                    continue
                per_round = ratios(rps["portal"], rps[server.name])
                cells.append(f"{describe(per_round)}; aim {aim}: {verdict(per_round, aim)}")
            rows.append(cells)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    names = [server.name for server in servers]
    header = ["scenario", *(f"{n} req/s (p50 ms)" for n in names)]
    header += [f"portal / {n}: median (min-max, IQR) of rounds; aim" for n in names[1:]]
    log("\n" + markdown_table(header, rows))
    log(f"\n{args.points:,} points, {args.polygons:,} polygons; {args.rounds} rounds of "
        f"{args.seconds:g} s (at most {args.requests} requests) per server and row, servers in "
        f"turn; {args.concurrency} concurrent clients; medians of the rounds.")  # fmt: skip
    for server in servers:
        log(f"{server.name}: {server.note}")
    for name, reason in skipped:
        log(f"SKIPPED {name}: {reason}")
    log(f"before: {before}\nafter:  {load_average()}")


def growth(args, ids, sizes):
    """The portal alone, one point layer per size: the cost of each request at each size
    relative to the smallest, in alternating rounds."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-ogc-"))
    slugs = {slug: slug for slug in ids}
    servers, _ = start_servers(tmp, slugs, None, args.threads)
    portal, rows, before = servers[0], [], load_average()
    smallest = f"bench-points-{sizes[0]}"
    try:
        log(f"\n{before}")
        rng = random.Random(42)
        for name, suffixes in growth_scenarios(ids, rng).items():
            variants = {
                f"{size:,}": (portal, f"bench-points-{size}", suffixes[f"bench-points-{size}"])
                for size in sizes
            }
            results = run_row(name, variants, args)
            rps = {variant: [f["rps"] for f in figures] for variant, figures in results.items()}
            cells = [name] + [
                f"{median_of(figures, 'rps'):.0f} ({median_of(figures, 'p50'):.1f})"
                for figures in results.values()
            ]
            rows.append(cells + relative_costs(rps))
    finally:
        portal.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    header = ["request", *(f"{size:,} points: req/s (p50 ms)" for size in sizes)]
    log("\n" + markdown_table(header + relative_cost_header(sizes), rows))
    log(f"\nportal alone (gunicorn, 2 workers), one layer per size ({smallest} the smallest); "
        f"{args.rounds} rounds of {args.seconds:g} s (at most {args.requests} requests) per "
        f"size and row, sizes in turn; {args.concurrency} concurrent clients.")  # fmt: skip
    log(f"before: {before}\nafter:  {load_average()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="5,000 points, 1,000 polygons")
    parser.add_argument("--points", type=int, default=500_000)
    parser.add_argument("--polygons", type=int, default=100_000)
    parser.add_argument("--sizes", help="growth table: point layer sizes, e.g. 10000,100000")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per row and server")
    parser.add_argument("--seconds", type=float, default=3, help="length of a round")
    parser.add_argument("--requests", type=int, default=1000, help="cap of requests per round")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--skip", action="append", default=[], help="peer to leave out")
    parser.add_argument("--threads", type=int, default=1, help="portal: gthread threads per worker")
    args = parser.parse_args()
    if args.small:
        args.points, args.polygons = 5_000, 1_000
    started = time.time()
    if args.sizes:
        sizes = sorted(int(size) for size in args.sizes.split(","))
        log(f"Building {BENCH_DB}: point layers of {', '.join(f'{n:,}' for n in sizes)} "
            f"(synthetic); {load_average()}")  # fmt: skip
        ids = build_database(BENCH_DB, [(f"bench-points-{n}", n, "Point", None) for n in sizes])
    else:
        log(f"Building {BENCH_DB}: {args.points:,} points, {args.polygons:,} polygons "
            f"(synthetic); {load_average()}")  # fmt: skip
        ids = build_database(
            BENCH_DB,
            [
                ("bench-points", args.points, "Point", "bench_points"),
                ("bench-polygons", args.polygons, "Polygon", "bench_polygons"),
            ],
        )
    log(f"  built in {time.time() - started:.0f} s")
    if args.sizes:
        growth(args, ids, sizes)
    else:
        compare(args, ids)


if __name__ == "__main__":
    main()
