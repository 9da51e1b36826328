"""Load on the whole cluster (`make cluster`) through nginx: 200 concurrent clients for 60 s on
a mix of what the portal serves, then cached tiles alone.

    make cluster && .venv/bin/python bench/cluster.py [--duration 60] [--clients 200]

The clients are Debian's wrk (one process per endpoint class, bench/cluster.lua counting
answers by status and nginx cache hits). The share of clients per class is a guess at a map
portal's traffic: mostly tiles, then pages, the REST API, OGC items, services near a point,
filtered downloads, and a few anonymous API clients that run into their rate limit on purpose
(their 429s are expected, and so are those of the download clients, more than the portal lets
one address export at once; the API clients use the token of the account "bench", which the
cluster gives a limit of its own, API_RATE_USERS). Tiles and downloads are fetched once before
the run, as a portal in use would have them: the run then measures a warm cache (and the stored
whole-layer files that nginx sends from disk).

Prints requests/s, answers by status, p50/p95/p99 per class, nginx cache hits, the machine's
load before and after, and cached tiles per second (in the mix, and alone for --tiles-seconds).
Aims (issue 14): no error other than the deliberate 429s; cached tiles at 10,000/s or more.
"""

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLUSTER = ROOT / "var" / "cluster"
LAYER = "osm-settlements-belarus"
# Share of the clients per class (the anonymous API clients are a fixed few).
MIX = {"tiles": 0.55, "pages": 0.10, "rest": 0.10, "ogc": 0.10, "near": 0.09, "downloads": 0.04}
ANONYMOUS_API_CLIENTS = 4
# Where a 429 is the portal holding a limit, not failing: the anonymous API clients' rate, and
# the cap on filtered exports running at once per client (DOWNLOAD_EXPORTS_PER_CLIENT, 2), which
# the download clients, all from this one address, exceed on purpose.
DELIBERATE_429 = ("api-anon", "downloads")


def cluster_environment():
    """The cluster's environment as its workers see it (the primary, straight)."""
    env = {}
    for name in ("geoportal.env", "worker.env"):
        for line in (CLUSTER / "etc" / name).read_text().splitlines():
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                env[key] = value
    return env


sys.path.insert(0, str(ROOT))
os.environ.update(cluster_environment())

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from cities.models import City  # noqa: E402


def bench_token():
    user, _ = User.objects.get_or_create(username="bench")
    return Token.objects.get_or_create(user=user)[0].key


def tile_of(lon, lat, z):
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def paths(rng):
    """{class: [path, ...]} built from the cluster's cities."""
    cities = [(c.slug, c.location.x, c.location.y) for c in City.objects.order_by("slug")]
    tiles, pages, rest, ogc, near, downloads = set(), [], [], [], [], []
    for slug, lon, lat in cities:
        for z in range(8, 15):
            x, y = tile_of(lon, lat, z)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    tiles.add(f"/tiles/{LAYER}/{z}/{x + dx}/{y + dy}.pbf")
        bbox = f"{lon - 0.05:.4f},{lat - 0.03:.4f},{lon + 0.05:.4f},{lat + 0.03:.4f}"
        pages += [f"/cities/{slug}/", f"/en/cities/{slug}/", f"/services/?city={slug}"]
        rest += [f"/api/v1/cities/{slug}/", f"/api/v1/layers/{LAYER}/features/?bbox={bbox}"]
        ogc += [f"/ogc/collections/{LAYER}/items?bbox={bbox}&limit=50",
                f"/ogc/collections/services/items?bbox={bbox}&limit=20"]  # fmt: skip
        downloads += [f"/layers/{LAYER}/download/{fmt}/?bbox={bbox}" for fmt in ("csv", "geojson")]
        for _ in range(12):
            point = f"{lon + rng.uniform(-0.05, 0.05):.4f},{lat + rng.uniform(-0.03, 0.03):.4f}"
            near.append(f"/api/v1/services/?near={point}&limit=10")
    pages += ["/", "/cities/", "/layers/", f"/layers/{LAYER}/", "/services/", "/indicators/",
              "/about/data/", "/ru/", "/en/layers/"]  # fmt: skip
    rest += ["/api/v1/regions/", "/api/v1/cities/", "/api/v1/layers/", "/api/v1/indicators/"]
    # Whole-layer files, made once and sent by nginx (X-Accel-Redirect).
    downloads += [
        f"/layers/{LAYER}/download/{fmt}/" for fmt in ("geojson", "csv", "gpkg", "shp", "kml")
    ]
    ogc += ["/ogc/collections", "/ogc/collections/cities/items", f"/tiles/{LAYER}.json"]
    found = {"tiles": sorted(tiles), "pages": pages, "rest": rest, "ogc": ogc, "near": near,
             "downloads": downloads, "api-anon": ["/api/v1/regions/"]}  # fmt: skip
    for values in found.values():
        rng.shuffle(values)
    return found


def warm(base, urls):
    """Fetch each once (tiles into nginx's cache; whole-layer downloads are made by a worker on
    the first request, 202 until then); the number of failures."""
    failed = 0
    for path in urls:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(base + path, timeout=60) as response:
                    response.read()
                    if response.status != 202:
                        break
            except OSError:
                failed += 1
                break
            if time.monotonic() > deadline:
                failed += 1
                break
            time.sleep(1)
    return failed


def run_wrk(base, name, urls, clients, seconds, headers, folder):
    listing = Path(folder) / f"{name}.txt"
    listing.write_text("\n".join(urls) + "\n")
    threads = 2 if clients >= 100 else 1
    script = ROOT / "bench" / "cluster.lua"
    command = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s",
               "-s", str(script), base, "--", str(listing), *headers]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def result_of(process):
    out = process.communicate()[0]
    line = next((s for s in out.splitlines() if s.startswith("{")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{out}")
    return json.loads(line)


def split_clients(total):
    counts = {name: max(1, int(total * share)) for name, share in MIX.items()}
    counts["api-anon"] = ANONYMOUS_API_CLIENTS
    counts["tiles"] += total - sum(counts.values())
    return counts


def errors(result, deliberate=()):
    bad = {s: n for s, n in result["statuses"].items() if not 200 <= int(s) < 400}
    unexpected = {s: n for s, n in bad.items() if int(s) not in deliberate}
    sockets = {k: n for k, n in result["socket_errors"].items() if n}
    return bad, sum(unexpected.values()) + sum(sockets.values()), sockets


def print_table(results, clients):
    print(f"{'class':<10} {'clients':>7} {'requests':>9} {'req/s':>8} {'p50 ms':>8} "
          f"{'p95 ms':>8} {'p99 ms':>8} {'hits':>8}  answers by status")  # fmt: skip
    total_requests, total_unexpected, seconds = 0, 0, 0
    for name, result in results.items():
        seconds = result["duration_us"] / 1e6
        deliberate = (429,) if name in DELIBERATE_429 else ()
        bad, unexpected, sockets = errors(result, deliberate)
        total_requests += result["requests"]
        total_unexpected += unexpected
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(result["statuses"].items()))
        note = f"; socket errors {sockets}" if sockets else ""
        print(f"{name:<10} {clients[name]:>7} {result['requests']:>9} "
              f"{result['requests'] / seconds:>8.1f} {result['p50_us'] / 1000:>8.1f} "
              f"{result['p95_us'] / 1000:>8.1f} {result['p99_us'] / 1000:>8.1f} "
              f"{result['hits']:>8}  {statuses}{note}")  # fmt: skip
    print(
        f"all: {total_requests / seconds:.1f} requests/s over {seconds:.1f} s; "
        f"unexpected errors: {total_unexpected}"
    )
    return total_unexpected


def load():
    with open("/proc/loadavg") as handle:
        return handle.read().split()[:3]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--base", default=f"http://127.0.0.1:{os.environ.get('CLUSTER_HTTP_PORT', 8080)}"
    )
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--tiles-seconds", type=int, default=15)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()

    token = bench_token()
    found = paths(random.Random(args.seed))
    print(f"cluster {args.base}; {os.cpu_count()} cores; load average before: {load()}")
    print("paths: " + ", ".join(f"{name} {len(urls)}" for name, urls in found.items()))
    started = time.perf_counter()
    failed = warm(args.base, found["tiles"] + found["downloads"])
    print(
        f"warm-up: {len(found['tiles'])} tiles and {len(found['downloads'])} downloads "
        f"fetched once in {time.perf_counter() - started:.1f} s ({failed} failed)"
    )

    clients = split_clients(args.clients)
    gzip = "Accept-Encoding: gzip"
    authorised = [gzip, f"Authorization: Token {token}"]
    headers = {"rest": authorised, "near": authorised}
    with tempfile.TemporaryDirectory() as folder:
        print(f"\nmix: {args.clients} clients for {args.duration} s")
        processes = {
            name: run_wrk(args.base, name, found[name], clients[name], args.duration,
                          headers.get(name, [gzip]), folder)
            for name in clients
        }  # fmt: skip
        results = {name: result_of(process) for name, process in processes.items()}
        unexpected = print_table(results, clients)
        tiles = results["tiles"]
        print(f"cached tiles in the mix: {tiles['hits'] / (tiles['duration_us'] / 1e6):.0f}/s")
        print(f"load average after the mix: {load()}")

        print(f"\ncached tiles alone: {args.clients} clients for {args.tiles_seconds} s")
        alone = result_of(run_wrk(args.base, "tiles", found["tiles"], args.clients,
                                  args.tiles_seconds, [gzip], folder))  # fmt: skip
        unexpected += print_table({"tiles": alone}, {"tiles": args.clients})
        rate = alone["hits"] / (alone["duration_us"] / 1e6)
        print(f"cached tiles through nginx: {rate:.0f}/s (aim 10,000/s)")
    print(f"load average after: {load()}")
    print(f"unexpected errors in all: {unexpected} (aim 0)")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
