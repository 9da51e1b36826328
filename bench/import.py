"""Import speed and memory, in alternating rounds: the pipeline against bare ogr2ogr on the same
files and database.

    export PGPORT=.. REDIS_PORT=..
    .venv/bin/python bench/import.py                      # 1,000,000 points, 100,000 polygons
    .venv/bin/python bench/import.py --points 20000 --polygons 2000    # a quick run

Generates, in a temporary folder, a zipped point Shapefile (attributes with Cyrillic; synthetic
points over Belarus's bounding box) and a polygon GeoPackage in UTM 35N, then for each file runs
--rounds rounds in turn of
  pipeline  layers.imports.queue.import_now (the pipeline that the admin, the API and the command
            use, minus the queue), in a child process, so that its peak memory (the process and
            its ogr2ogr) is its own;
  ogr2ogr   bare `ogr2ogr -f PostgreSQL` of the same file into the same database;
and prints per file the median ratio of the times and its spread, and the peak memory.
Aims (issue 16): within 1.3x of bare ogr2ogr; peak memory under 500 MB. It works in its own
database (geoportal_bench_import, dropped afterwards) and Redis database number.
"""

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from rounds import Aim, alternate, describe, load_average, ratios, verdict
from rounds import table as markdown_table
from servers import ROOT, bench_env, create_database, database_url, drop_database, setup_django

BENCH_DB = "geoportal_bench_import"
RATIO = Aim(1.3, at_least=False)
MEMORY = Aim(500, at_least=False, unit=" MB")

NAMES = ["Мінск", "Брэст", "Гродна", "Віцебск", "Магілёў", "Гомель", "Пінск", "Ліда"]


def make_points(folder, count):
    """count random points over Belarus, written to CSV, then to a zipped Shapefile."""
    rng = random.Random(1)
    source = folder / "points.csv"
    with open(source, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lon", "lat", "name", "kind", "value"])
        for i in range(count):
            writer.writerow(
                [
                    round(rng.uniform(23.2, 32.7), 6),
                    round(rng.uniform(51.3, 56.1), 6),
                    f"{NAMES[i % len(NAMES)]} {i}",
                    "пункт",
                    rng.randint(0, 10**6),
                ]
            )
    shp = folder / "points.shp"
    subprocess.run(
        ["ogr2ogr", "-f", "ESRI Shapefile", str(shp), str(source), "-oo", "X_POSSIBLE_NAMES=lon",
         "-oo", "Y_POSSIBLE_NAMES=lat", "-oo", "AUTODETECT_TYPE=YES", "-a_srs", "EPSG:4326",
         "-lco", "ENCODING=UTF-8", "-nln", "points"],
        check=True,
    )  # fmt: skip
    archive = folder / "points.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for part in folder.glob("points.*"):
            if part.suffix in {".shp", ".shx", ".dbf", ".prj", ".cpg"}:
                zipped.write(part, part.name)
    return shp, archive


def make_polygons(folder, count):
    """count small squares (about 200 m) in UTM zone 35N, as a GeoPackage."""
    rng = random.Random(2)
    source = folder / "polygons.csv"
    with open(source, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["WKT", "name", "area"])
        for i in range(count):
            x, y = rng.uniform(300000, 700000), rng.uniform(5700000, 6200000)
            ring = f"{x} {y},{x + 200} {y},{x + 200} {y + 200},{x} {y + 200},{x} {y}"
            writer.writerow([f"POLYGON (({ring}))", f"Участак {i}", 40000])
    gpkg = folder / "polygons.gpkg"
    subprocess.run(
        ["ogr2ogr", "-f", "GPKG", str(gpkg), str(source), "-a_srs", "EPSG:32635",
         "-nlt", "POLYGON", "-nln", "polygons", "-oo", "AUTODETECT_TYPE=YES"],
        check=True,
    )  # fmt: skip
    return gpkg


def measured(command, **kwargs):
    """Run command to its end: (seconds, peak memory in MB of it and its descendants, stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, **kwargs)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status:
        raise RuntimeError(f"{command[:3]} failed: {status}")
    return seconds, usage.ru_maxrss / 1024, out


def bare_ogr2ogr(path):
    table = f"bench_bare_{os.getpid()}"
    db = database_url(BENCH_DB, "postgresql")
    seconds, peak, _ = measured(
        ["ogr2ogr", "-f", "PostgreSQL", f"PG:{db}",
         str(path), "-nln", table, "-t_srs", "EPSG:4326", "-overwrite"],
    )  # fmt: skip
    subprocess.run(["psql", db, "-qc", f"DROP TABLE IF EXISTS {table}"], check=True)
    return seconds, peak


def pipeline(path):
    """The pipeline in a child process: (seconds of the import alone, peak MB, features)."""
    _, peak, out = measured(
        [sys.executable, __file__, "--child", str(path)], env=bench_env(BENCH_DB), cwd=ROOT
    )
    result = json.loads(out.decode().strip().splitlines()[-1])
    return result["seconds"], peak, result["count"]


def child(path):
    """In the child: import `path` into a new layer, print the time and count, delete it."""
    setup_django(BENCH_DB)
    from geoportal.celery import load_url_patterns
    from layers.imports.queue import import_now
    from layers.models import Layer

    # As a worker does when it starts (and not in every import).
    load_url_patterns()

    Layer.objects.filter(slug="bench-import").delete()
    layer = Layer.objects.create(slug="bench-import", title_en="Benchmark import (synthetic)")
    started = time.perf_counter()
    import_now(layer, Path(path))
    seconds = time.perf_counter() - started
    layer.refresh_from_db()
    count = layer.feature_count
    layer.delete()
    print(json.dumps({"seconds": seconds, "count": count}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--polygons", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    before = load_average()
    print(f"building {BENCH_DB}; {before}", flush=True)
    create_database(BENCH_DB)
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="geoportal-bench-") as tmp:
            folder = Path(tmp)
            print(
                f"generating {args.points:,} points and {args.polygons:,} polygons...", flush=True
            )
            shp, points_zip = make_points(folder, args.points)
            gpkg = make_polygons(folder, args.polygons)
            for label, upload, bare_input in [
                (f"{args.points:,} points, zipped Shapefile", points_zip, shp),
                (f"{args.polygons:,} polygons, GeoPackage (UTM 35N)", gpkg, gpkg),
            ]:
                peaks, counts = {"pipeline": [], "ogr2ogr": []}, set()

                def run_pipeline(number, upload=upload, peaks=peaks, counts=counts):
                    seconds, peak, count = pipeline(upload)
                    peaks["pipeline"].append(peak)
                    counts.add(count)
                    return seconds

                def run_bare(number, bare_input=bare_input, peaks=peaks):
                    seconds, peak = bare_ogr2ogr(bare_input)
                    peaks["ogr2ogr"].append(peak)
                    return seconds

                times = alternate(
                    {"pipeline": run_pipeline, "ogr2ogr": run_bare},
                    args.rounds,
                    on_figure=lambda name, number, seconds, label=label: print(
                        f"  {label}: round {number + 1} {name} {seconds:.1f} s", flush=True
                    ),
                )
                slowdown = ratios(times["pipeline"], times["ogr2ogr"])
                rows.append([
                    label, ", ".join(f"{count:,}" for count in sorted(counts)),
                    describe(times["pipeline"], " s"), describe(times["ogr2ogr"], " s"),
                    f"{describe(slowdown)}; aim {RATIO}: {verdict(slowdown, RATIO)}",
                    f"{max(peaks['pipeline']):.0f} MB (ogr2ogr alone {max(peaks['ogr2ogr']):.0f}"
                    f" MB); aim {MEMORY}: {verdict(peaks['pipeline'], MEMORY)}",
                ])  # fmt: skip
    finally:
        drop_database(BENCH_DB)
    header = ["file", "features", "pipeline", "bare ogr2ogr", "pipeline / ogr2ogr; aim",
              "peak memory of the pipeline; aim"]  # fmt: skip
    print("\n" + markdown_table(header, rows))
    print(f"\n{args.rounds} rounds per file, pipeline and ogr2ogr in turn; medians (min-max, IQR)")
    print(f"before: {before}\nafter:  {load_average()}")


if __name__ == "__main__":
    main()
