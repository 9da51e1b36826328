"""Whole-layer downloads of the 22,477 OpenStreetMap settlements (the demo layer, real data) in
each of the five formats: seconds from the first request (answered 202, the file queued for the
worker) to the whole file received, polling as a client honouring Retry-After would; then one
more download of the stored file.

    export PGPORT=.. REDIS_PORT=..; .venv/bin/python bench/downloads.py [--rounds 3]

Aim (issue 13): under 10 s for every format. Before the change KML alone took about 35 minutes
of a core (LIBKML, quadratic). Gunicorn (2 workers) and a Celery worker (2 processes) run on the
portal's database, with a Redis database (BENCH_REDIS_DB) and a downloads folder of their own;
each round saves the layer first (a new cache version, as after an edit), so every file is made
anew. The demo layer is loaded by the demo loader if it is missing.
"""

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOWNLOADS = Path(tempfile.mkdtemp(prefix="bench-downloads-"))
os.environ["DOWNLOADS_ROOT"] = str(DOWNLOADS)
from servers import ROOT, bench_env, setup_django, start_gunicorn  # noqa: E402

# Django on the portal's database and the benchmarks' own Redis database.
setup_django()

from layers import demo  # noqa: E402
from layers.models import Layer  # noqa: E402

FORMATS = ["geojson", "csv", "gpkg", "shp", "kml"]
SLUG = demo.SETTLEMENTS["slug"]


def start_worker():
    command = [str(ROOT / ".venv" / "bin" / "celery"), "-A", "geoportal", "worker",
               "--concurrency=2", "--loglevel=warning",
               "--without-gossip", "--without-mingle"]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, "LOG_LEVEL": "WARNING"})


def fetch(port, fmt):
    """(status, Retry-After, body length) of one GET of the layer's download."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", f"/layers/{SLUG}/download/{fmt}/")
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.getheader("Retry-After"), len(body)


def first_download(port, fmt):
    """Seconds from the first request to the whole file, and its size."""
    started = time.perf_counter()
    status, retry, size = fetch(port, fmt)
    if status != 202:
        raise RuntimeError(f"{fmt}: the first request answered {status}, not 202")
    while status != 200:
        time.sleep(min(float(retry or 1), 0.5))
        status, retry, size = fetch(port, fmt)
        if status not in (200, 202):
            raise RuntimeError(f"{fmt}: HTTP {status}")
    return time.perf_counter() - started, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8932)
    args = parser.parse_args()
    demo.load()
    layer = Layer.objects.get(slug=SLUG)
    print(f"{layer.slug}: {layer.feature_count:,} features; {os.cpu_count()} CPUs")
    (server, _), worker = start_gunicorn(bench_env(), 2, 4, args.port), start_worker()
    times = {fmt: [] for fmt in FORMATS}
    try:
        layer.save()
        first_download(args.port, "csv")  # untimed: the worker and gunicorn warm up
        for number in range(args.rounds):
            for fmt in FORMATS:
                layer.save()  # a new cache version: the file is made anew
                seconds, size = first_download(args.port, fmt)
                times[fmt].append(seconds)
                stored = time.perf_counter()
                fetch(args.port, fmt)
                print(f"round {number + 1} {fmt:<8} first request to file {seconds:6.2f} s, "
                      f"{size / 1e6:6.1f} MB; stored file again "
                      f"{time.perf_counter() - stored:5.2f} s", flush=True)  # fmt: skip
        print()
        for fmt in FORMATS:
            median, worst = statistics.median(times[fmt]), max(times[fmt])
            verdict = "under 10 s" if worst < 10 else "OVER 10 s"
            print(f"{fmt:<8} median {median:5.2f} s, worst {worst:5.2f} s: {verdict}")
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait()
        shutil.rmtree(DOWNLOADS, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
