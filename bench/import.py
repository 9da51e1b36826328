"""Import speed and memory: the pipeline against bare ogr2ogr on the same files and database.

    .venv/bin/python bench/import.py                      # 1,000,000 points, 100,000 polygons
    .venv/bin/python bench/import.py --points 20000 --polygons 2000    # a quick run

Generates, in a temporary folder, a zipped point Shapefile (attributes with Cyrillic) and a
polygon GeoPackage in UTM 35N, imports each through layers.imports.queue.import_now (the pipeline
that the admin, the API and the command use, minus the queue), then loads the same file with
bare `ogr2ogr -f PostgreSQL` into the same database, and prints both times, the ratio and the
peak memory (this process and its largest child, ogr2ogr). Uses DATABASE_URL; cleans up after.
"""

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoportal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from layers.imports.queue import import_now  # noqa: E402
from layers.models import Layer  # noqa: E402

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


def bare_dsn():
    db = connection.settings_dict
    return f"PG:dbname='{db['NAME']}' host='{db['HOST']}' port='{db['PORT']}' user='{db['USER']}'"


def bare_ogr2ogr(path):
    table = f"bench_bare_{os.getpid()}"
    started = time.perf_counter()
    subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "PostgreSQL",
            bare_dsn(),
            str(path),
            "-nln",
            table,
            "-t_srs",
            "EPSG:4326",
        ],
        check=True,
        env={**os.environ, "PGPASSWORD": connection.settings_dict.get("PASSWORD") or ""},
    )
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    return seconds


def pipeline(path, slug):
    Layer.objects.filter(slug=slug).delete()
    layer = Layer.objects.create(slug=slug, title_en=slug)
    started = time.perf_counter()
    import_now(layer, path)
    seconds = time.perf_counter() - started
    layer.refresh_from_db()
    count = layer.feature_count
    layer.delete()
    return seconds, count


def peak_mb(who):
    return resource.getrusage(who).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--polygons", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="geoportal-bench-") as tmp:
        folder = Path(tmp)
        print(f"generating {args.points:,} points and {args.polygons:,} polygons...", flush=True)
        shp, points_zip = make_points(folder, args.points)
        gpkg = make_polygons(folder, args.polygons)
        rows = []
        for label, upload, bare_input in [
            (f"{args.points:,} points, zipped Shapefile", points_zip, shp),
            (f"{args.polygons:,} polygons, GeoPackage (UTM 35N)", gpkg, gpkg),
        ]:
            seconds, count = pipeline(upload, "bench-import")
            bare = bare_ogr2ogr(bare_input)
            rows.append((label, count, seconds, bare))
            print(f"{label}: pipeline {seconds:.1f} s ({count:,} features), "
                  f"bare ogr2ogr {bare:.1f} s, ratio {seconds / bare:.2f}", flush=True)  # fmt: skip
    print()
    print("| file | features | pipeline, s | bare ogr2ogr, s | ratio |")
    print("|---|---:|---:|---:|---:|")
    for label, count, seconds, bare in rows:
        print(f"| {label} | {count:,} | {seconds:.1f} | {bare:.1f} | {seconds / bare:.2f} |")
    print()
    print(
        f"peak memory: this process {peak_mb(resource.RUSAGE_SELF):.0f} MB, "
        f"largest child (ogr2ogr) {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB"
    )


if __name__ == "__main__":
    main()
