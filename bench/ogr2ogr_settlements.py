"""Benchmark: Debian's GDAL copies a layer from the portal's OGC API with default options.

    make run                                   # the demo: 22,477 OSM settlements
    .venv/bin/python bench/ogr2ogr_settlements.py [--url http://127.0.0.1:8000/ogc/] [--rounds 3]

For each round it runs `ogr2ogr -f GPKG` of the layer (default `osm-settlements-belarus`) with
GDAL's default options, then with `-oo PAGE_SIZE=1000` for comparison, alternating, and prints
each time, the item requests GDAL made (from its debug log) and the features copied; then the
median of each, and the median ratio of the two with its spread. GDAL before 3.8 asks for 10
features a request by default; the portal's next links ask for OGC_NEXT_MIN_LIMIT (1000), so the
default copy should need about as many requests as PAGE_SIZE=1000. The goal of issue 15: the
settlements in under 10 s with default options.
"""

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def copy(url, layer, folder, options):
    target = Path(folder) / f"copy-{time.monotonic_ns()}.gpkg"
    started = time.perf_counter()
    result = subprocess.run(
        ["ogr2ogr", "--debug", "on", "-f", "GPKG", str(target), f"OAPIF:{url}", layer, *options],
        capture_output=True, text=True, timeout=3600,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stderr[-2000:])
    requests = sum(
        1 for line in result.stderr.splitlines() if "Fetch(" in line and "/items" in line
    )
    info = subprocess.run(["ogrinfo", "-so", "-ro", str(target), layer],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    count = next(line.split(":")[1].strip() for line in info.splitlines()
                 if line.startswith("Feature Count"))  # fmt: skip
    return elapsed, requests, int(count)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/ogc/")
    parser.add_argument("--layer", default="osm-settlements-belarus")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    variants = {"default options": [], "-oo PAGE_SIZE=1000": ["-oo", "PAGE_SIZE=1000"]}
    times = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as folder:
        for number in range(1, args.rounds + 1):
            for name, options in variants.items():
                elapsed, requests, count = copy(args.url, args.layer, folder, options)
                times[name].append(elapsed)
                print(f"round {number}, {name}: {elapsed:.2f} s, {requests} item requests, "
                      f"{count} features", flush=True)  # fmt: skip
    for name, values in times.items():
        print(f"median, {name}: {statistics.median(values):.2f} s")
    ratios = [a / b for a, b in zip(*times.values(), strict=True)]
    print(f"default / PAGE_SIZE=1000, median ratio {statistics.median(ratios):.2f} "
          f"(spread {min(ratios):.2f}-{max(ratios):.2f} over {len(ratios)} rounds)")  # fmt: skip


if __name__ == "__main__":
    main()
