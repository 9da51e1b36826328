"""Where the time goes: py-spy samples the portal's gunicorn workers while bench/ogc.py's load
runs against them (or the import pipeline's process), and the samples are summed up by what they
were doing (waiting on PostgreSQL, on Redis, building SQL in the ORM, middleware, ...).

    export PGPORT=.. REDIS_PORT=..
    .venv/bin/python bench/profile.py item tile bbox     # single item, cached z15 tile, bbox page
    .venv/bin/python bench/profile.py import --points 1000000      # the 1M-point Shapefile

py-spy (the `bench` extra of pyproject.toml) samples with --idle, so that time spent waiting on
the database or Redis counts; samples of a worker waiting for its next request are left out.
Each scenario prints a table of categories (by the innermost frame that names one: a sample in
socket.recv called by redis-py counts as Redis) and the project's and Django's functions by
inclusive share (the share of samples with that function anywhere on the stack), and leaves the
raw stacks in var/profiles/<scenario>.txt for a flame graph. docs/speed.md quotes the figures.
The HTTP scenarios work in bench/ogc.py's database (geoportal_bench, made anew) with 500,000
points and 100,000 polygons by default; the import in bench/import.py's.
"""

import argparse
import importlib.util
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from rounds import load_average
from rounds import table as markdown_table
from servers import (
    BENCH_DB,
    ROOT,
    bench_env,
    create_database,
    drop_database,
    measure,
    start_portal,
    tile_at,
)
from synthetic import AREA, build_database

PY_SPY = ROOT / ".venv" / "bin" / "py-spy"
OUT = ROOT / "var" / "profiles"
# (category, pattern on a frame "function (file:line)"), tried from the innermost frame out;
# py-spy names files from their package: "(django/db/models/query.py:10)", "(layers/tiles.py:5)".
CATEGORIES = [
    ("Redis (redis-py: send, wait, parse)", r"\(redis/"),
    ("PostgreSQL (executing, waiting, fetching)", r"\(psycopg|\(django/db/backends/"),
    ("ORM: model instances", r"\(django/db/models/base\.py"),
    ("ORM: building SQL and querysets", r"\(django/db/"),
    ("rate limiting (DRF throttles)", r"\(rest_framework/throttling"),
    ("JSON encoding and decoding", r"\(json/|orjson|ujson"),
    ("sessions and authentication", r"\(django/contrib/(sessions|auth)/|\(geoportal/middleware"),
    ("other middleware", r"\(django/middleware/|\(corsheaders/|\(whitenoise/"),
    ("URL resolving", r"\(django/urls/"),
    ("translation (locale activation)", r"\(django/utils/translation/|\(gettext"),
    ("GIS (GEOS, GDAL bindings)", r"\(django/contrib/gis/"),
    ("the project's own code", r"\((layers|geoportal|cities)/"),
    ("DRF (views, parsers, renderers)", r"\(rest_framework/"),
    ("Django request and response", r"\(django/"),
    ("gunicorn: closing the connection (sync worker, no keep-alive)", r"close_graceful"),
    ("gunicorn (HTTP parsing, writing)", r"\(gunicorn/"),
    ("waiting on ogr2ogr (subprocess)", r"\(subprocess\.py"),
]
# The samples that count: a gunicorn worker busy with a connection (from its accept to its
# close), or the import; the arbiter, its control thread and idle workers are left out.
SERVING = re.compile(r"(Sync|Thread)Worker\.handle|import_now")
PROJECT = re.compile(r"\((layers|geoportal|cities)/")


def frames(line):
    """'a (f.py:1);b (g.py:2) 7' -> (['a (f.py:1)', 'b (g.py:2)'], 7)."""
    stack, _, count = line.rstrip().rpartition(" ")
    return stack.split(";"), int(count)


def summarise(raw):
    """(categories table, tables of functions and of lines, samples) of py-spy's raw stacks."""
    categories, inclusive, lines, total, idle = Counter(), Counter(), Counter(), 0, 0
    for line in raw.splitlines():
        if not line.strip():
            continue
        stack, count = frames(line)
        if not any(SERVING.search(frame) for frame in stack):
            idle += count
            continue
        total += count
        for frame in reversed(stack):
            name = next((n for n, pattern in CATEGORIES if re.search(pattern, frame)), None)
            if name:
                categories[name] += count
                break
        else:
            categories["other (standard library, C code)"] += count
        innermost = [frame for frame in stack if PROJECT.search(frame)]
        lines[innermost[-1] if innermost else "(outside the project's code)"] += count
        seen = set()
        for frame in stack:
            function = re.sub(r":\d+\)$", ")", frame)  # one row per function, not per line
            if PROJECT.search(function) and "<module>" not in function and function not in seen:
                seen.add(function)
                inclusive[function] += count
    if not total:
        return "no samples of a request", "", 0
    share = [[name, f"{100 * n / total:.0f}%"] for name, n in categories.most_common()]
    top = [[f"`{name}`", f"{100 * n / total:.0f}%"] for name, n in inclusive.most_common(18)]
    deepest = [[f"`{name}`", f"{100 * n / total:.0f}%"] for name, n in lines.most_common(10)]
    note = f"{total:,} samples while serving ({idle:,} of idle processes and threads left out)"
    return (
        markdown_table(["where the time goes", "share of samples"], share) + "\n\n" + note,
        markdown_table(["function (inclusive: anywhere on the stack)", "share"], top)
        + "\n\n"
        + markdown_table(
            ["innermost line of the project's code (what it was waiting on)", "share"], deepest
        ),  # fmt: skip
        total,
    )


def record(pid, seconds, output, subprocesses=True):
    command = [str(PY_SPY), "record", "--pid", str(pid), "--idle", "--format", "raw",
               "--rate", "200", "--duration", str(seconds), "--output", str(output)]  # fmt: skip
    if subprocesses:
        command.append("--subprocesses")
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def http_scenarios(ids, rng):
    """name -> (table, next path suffix or tile, whether to warm the tile cache first)."""
    tiles = [
        tile_at(rng.uniform(AREA[0], AREA[2]), rng.uniform(AREA[1], AREA[3]), 15)
        for _ in range(200)
    ]
    boxes = []
    for _ in range(200):
        x, y = rng.uniform(AREA[0], AREA[2] - 0.1), rng.uniform(AREA[1], AREA[3] - 0.05)
        boxes.append(f"{x:.4f},{y:.4f},{x + 0.1:.4f},{y + 0.05:.4f}")
    return {
        "item": ("polygons", lambda: f"/items/{rng.choice(ids['bench-polygons'])}?f=json", False),
        "bbox": ("points", lambda: f"/items?f=json&limit=100&bbox={rng.choice(boxes)}", False),
        "tile": ("points", lambda: rng.choice(tiles), True),
    }


def profile_http(names, args):
    sizes = [("bench-points", args.points, "Point", None),
             ("bench-polygons", args.polygons, "Polygon", None)]  # fmt: skip
    ids = build_database(BENCH_DB, sizes)
    tmp = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    slugs = {"points": "bench-points", "polygons": "bench-polygons"}
    portal = start_portal(tmp, slugs, threads=args.threads)
    scenarios = http_scenarios(ids, random.Random(42))
    try:
        for name in names:
            table, next_suffix, warm = scenarios[name]
            if warm:  # every tile of the scenario once, so that the profile sees cached tiles
                measure(portal, table, next_suffix, requests=600, seconds=60, concurrency=4)
            before = load_average()
            output = OUT / f"{name}.txt"
            spy = record(portal.process.pid, args.seconds, output)
            figures = measure(portal, table, next_suffix, requests=10**9,
                              seconds=args.seconds - 1, concurrency=args.concurrency)  # fmt: skip
            spy.wait()
            load = (f"{figures['rps']:.0f} req/s, p50 {figures['p50']:.1f} ms, {args.concurrency} "
                    f"clients, {figures['failures']} failed; {portal.note}")  # fmt: skip
            report(name, output, before, load)
    finally:
        portal.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        if not args.keep:
            drop_database(BENCH_DB)


def profile_import(args):
    """py-spy on bench/import.py's child: the pipeline importing the zipped point Shapefile."""
    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench" / "import.py")
    bench_import = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_import)
    create_database(bench_import.BENCH_DB)
    try:
        with tempfile.TemporaryDirectory(prefix="geoportal-bench-") as tmp:
            print(f"generating {args.points:,} points...", flush=True)
            _, archive = bench_import.make_points(Path(tmp), args.points)
            before = load_average()
            output = OUT / "import.txt"
            command = [str(PY_SPY), "record", "--idle", "--format", "raw", "--rate", "100",
                       "--output", str(output), "--", sys.executable,
                       str(ROOT / "bench" / "import.py"), "--child", str(archive)]  # fmt: skip
            done = subprocess.run(command, env=bench_env(bench_import.BENCH_DB), cwd=ROOT,
                                  capture_output=True, text=True, check=True)  # fmt: skip
            result = next(line for line in done.stdout.splitlines() if line.startswith("{"))
            report("import", output, before, f"{args.points:,} points, zipped Shapefile: {result}")
    finally:
        drop_database(bench_import.BENCH_DB)


def report(name, output, before, figures):
    categories, functions, _ = summarise(output.read_text())
    print(f"\n### {name}\n\n{figures}; before: {before}; after: {load_average()}\n")
    print(categories + "\n\n" + functions + f"\n\nraw stacks: {output.relative_to(ROOT)}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="+", choices=["item", "bbox", "tile", "import"])
    parser.add_argument("--points", type=int, default=500_000)
    parser.add_argument("--polygons", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20, help="of sampling per scenario")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="portal: gthread threads per worker")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if not PY_SPY.exists():
        raise SystemExit("py-spy is missing: .venv/bin/pip install -e '.[bench]'")
    OUT.mkdir(parents=True, exist_ok=True)
    http = [name for name in args.scenarios if name != "import"]
    if http:
        profile_http(http, args)
    if "import" in args.scenarios:
        profile_import(args)


if __name__ == "__main__":
    main()
