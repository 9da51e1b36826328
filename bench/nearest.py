"""Nearest-service search at national scale: generated service points over Belarus, then the
nearest-10 query timed in the database and through the API served by gunicorn.

    export PGPORT=.. REDIS_PORT=..
    .venv/bin/python bench/nearest.py                      # 1,000,000 points, 500 queries
    .venv/bin/python bench/nearest.py --points 50000 --queries 100   # a quick run

It works in its own database (geoportal_bench in the same PostgreSQL cluster), made, migrated
and loaded with the demo cities, then dropped (--keep leaves it for a second run). The points are
random (ST_GeneratePoints inside the Natural Earth outline of Belarus), named "Bench point N":
benchmark data, never loaded into the portal's own database. Prints median and p95 latency.
"""

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "geoportal_bench"
BATCH = 100_000
BELARUS_BOX = (23.2, 51.3, 32.7, 56.1)


def dsn(db):
    return f"postgresql://geoportal@127.0.0.1:{os.environ.get('PGPORT', '54329')}/{db}"


def env_for(db):
    return {
        **os.environ,
        "DATABASE_URL": f"postgis://geoportal@127.0.0.1:{os.environ.get('PGPORT', '54329')}/{db}",
        # Anonymous requests count against both the anon and the user rates (by IP).
        "API_RATE_ANON": "100000000/minute",
        "API_RATE_USER": "100000000/minute",
        "BASEMAP_URL": "",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }


def manage(*args):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env_for(BENCH_DB), check=True
    )


def prepare(points, keep):
    with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if exists and not keep:
            conn.execute(f"DROP DATABASE {BENCH_DB}")
            exists = None
        if not exists:
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
    manage("migrate", "--noinput", "-v", "0")
    with psycopg.connect(dsn(BENCH_DB), autocommit=True) as conn:
        have = conn.execute(
            "SELECT count(*) FROM cities_servicelocation WHERE source = 'bench'"
        ).fetchone()[0]
        if have == points:
            print(f"reusing {have:,} generated points")
            return
        manage("shell", "-c", "from cities.demo import load; load()")
        manage("shell", "-c", "from cities.services.demo import load_categories; load_categories()")
        conn.execute("DELETE FROM cities_servicelocation WHERE source = 'bench'")
        started = time.perf_counter()
        for first in range(0, points, BATCH):
            size = min(BATCH, points - first)
            # The insert trigger assigns each point its city, as in production.
            conn.execute(
                """
                INSERT INTO cities_servicelocation (name_be, name_ru, name_en, category_id,
                    address, phone, website, email, opening_hours, wheelchair, location, source,
                    external_id, updated, city_basis)
                SELECT 'Bench point ' || (%(first)s + n), 'Bench point ' || (%(first)s + n),
                    'Bench point ' || (%(first)s + n),
                    (SELECT id FROM cities_servicecategory WHERE slug = 'pharmacy'),
                    '', '', '', '', '', 'unknown', geom, 'bench', 'b' || (%(first)s + n), now(), ''
                FROM ST_Dump(ST_GeneratePoints((SELECT ST_Union(geom) FROM cities_region),
                        %(size)s)) WITH ORDINALITY AS points(path, geom, n)
                """,
                {"first": first, "size": size},
            )
            print(f"  {first + size:,} points ({time.perf_counter() - started:.0f} s)")
        conn.execute("VACUUM ANALYZE cities_servicelocation")


def random_points(count, seed=7):
    rng = random.Random(seed)
    minx, miny, maxx, maxy = BELARUS_BOX
    return [(rng.uniform(minx, maxx), rng.uniform(miny, maxy)) for _ in range(count)]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(label, millis):
    median, p95 = statistics.median(millis), percentile(millis, 0.95)
    print(
        f"{label}: median {median:.2f} ms, p95 {p95:.2f} ms, max {max(millis):.2f} ms"
        f" ({len(millis)} queries)"
    )


def database_timings(points):
    """The API's own query (ServiceQuery), timed by PostgreSQL (EXPLAIN ANALYZE execution)."""
    code = (
        "import json, sys\n"
        "from django.db import connection\n"
        "from cities.services.query import ServiceQuery\n"
        "out = []\n"
        "for lon, lat in json.loads(sys.stdin.read()):\n"
        "    sql, params = ServiceQuery(near=(lon, lat), limit=10).queryset().query"
        ".sql_with_params()\n"
        "    with connection.cursor() as c:\n"
        "        c.execute('EXPLAIN (ANALYZE, FORMAT JSON) ' + sql, params)\n"
        "        plan = c.fetchone()[0]\n"
        "        plan = json.loads(plan) if isinstance(plan, str) else plan\n"
        "        out.append(plan[0]['Execution Time'])\n"
        "print(json.dumps(out))\n"
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env_for(BENCH_DB),
        input=json.dumps(points),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_timings(points, port, workers):
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "geoportal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=env_for(BENCH_DB),
    )
    try:
        conn = None
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/api/v1/service-categories/")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        millis = []
        for lon, lat in points[:20]:  # warm up the workers' connections and caches
            conn.request("GET", f"/api/v1/services/?near={lon:.5f},{lat:.5f}&limit=10")
            conn.getresponse().read()
        for lon, lat in points:
            started = time.perf_counter()
            conn.request("GET", f"/api/v1/services/?near={lon:.5f},{lat:.5f}&limit=10")
            response = conn.getresponse()
            body = response.read()
            millis.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, body[:200]
            assert body.count(b'"distance_m"') == 10, body[:200]
        return millis
    finally:
        server.terminate()
        server.wait(timeout=20)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    print(f"nearest-10 over {args.points:,} generated service points in Belarus")
    prepare(args.points, args.keep)
    points = random_points(args.queries)
    report("database (EXPLAIN ANALYZE)", database_timings(points))
    http = http_timings(points, args.port or free_port(), args.workers)
    report(f"end to end (HTTP, gunicorn x{args.workers})", http)
    if not args.keep:
        with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {BENCH_DB}")


if __name__ == "__main__":
    main()
