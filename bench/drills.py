"""Fault drills on the cluster (`make cluster`), each under load through nginx, with its figures:

  web      kill -9 one gunicorn instance (master and workers) while clients read pages and the
           API; failed requests are counted (aim: none beyond those in flight)
  replica  stop the replica (immediate shutdown) while clients read; reads go on from the
           primary, /readyz says "degraded"; the replica is started again and used again
  worker   queue 6 imports of the settlements file, kill -9 one Celery worker while it imports;
           the other worker finishes the queue, and the killed one's import once the sweep
           has found it
  reload   `nginx -s reload` twice while clients read tiles and pages; failed requests and
           broken connections are counted (aim: none)
  restore  a base backup of the primary (pg_basebackup, no WAL in it), a row written after it,
           then a restore on a spare port from the backup and the WAL archive: the restored
           server must hold the row and as many features as the primary

    make cluster && .venv/bin/python bench/drills.py [web] [replica] [worker] [reload]

Each drill puts the cluster back as it was (scripts/cluster.sh start) and deletes what it made.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from cluster import CLUSTER, ROOT, bench_token, load, paths, result_of, run_wrk
from django.contrib.auth.models import Group
from django.core.files import File
from django.db import connections

from layers.imports.queue import queue_import, receive_upload
from layers.models import Feature, Layer

PG_CTL = "/usr/lib/postgresql/15/bin/pg_ctl"
PG_BASEBACKUP = "/usr/lib/postgresql/15/bin/pg_basebackup"
NGINX = ["nginx", "-p", str(CLUSTER / "nginx"), "-c", str(CLUSTER / "nginx" / "nginx.conf")]
# The restored copy's port (the cluster's others: scripts/cluster.sh).
RESTORE_PORT = int(os.environ.get("CLUSTER_RESTORE_PORT", "58435"))
SETTLEMENTS = ROOT / "layers" / "data" / "osm_hotosm_settlements_belarus_wkt.csv"


def as_postgres(*command):
    if os.getuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


def restore():
    subprocess.run([str(ROOT / "scripts" / "cluster.sh"), "start"], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def readyz(base):
    try:
        with urllib.request.urlopen(f"{base}/readyz", timeout=60) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


def report(name, result, note=""):
    seconds = result["duration_us"] / 1e6
    failed = sum(n for s, n in result["statuses"].items() if not 200 <= int(s) < 400)
    sockets = {k: n for k, n in result["socket_errors"].items() if n}
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(result["statuses"].items()))
    print(f"{name}: {result['requests']} requests in {seconds:.1f} s "
          f"({result['requests'] / seconds:.0f}/s), p99 {result['p99_us'] / 1000:.0f} ms; "
          f"answers {statuses}; failed {failed}; socket errors {sockets or 0}{note}")  # fmt: skip
    return failed + sum(sockets.values())


class Load:
    """wrk on `urls` with `clients` connections for `seconds`, in the background."""

    def __init__(self, base, urls, clients, seconds, headers, folder):
        self.process = run_wrk(base, "drill", urls, clients, seconds, headers, folder)

    def result(self):
        return result_of(self.process)


def drill_web(base, urls, headers, folder):
    pidfile = sorted((CLUSTER / "run").glob("web-*.pid"))[0]
    load_ = Load(base, urls["pages"] + urls["rest"] + urls["near"], 50, 20, headers, folder)
    time.sleep(6)
    os.killpg(int(pidfile.read_text()), signal.SIGKILL)
    killed_at = time.monotonic()
    result = load_.result()
    print(f"killed {pidfile.stem} (master and workers, SIGKILL) 6 s into a 20 s run")
    failed = report("web", result, f"; the other instance served the {20 - 6} s after")
    restore()
    print(f"  restarted {pidfile.stem} {time.monotonic() - killed_at:.0f} s after the kill; "
          f"/readyz: {readyz(base)['status']}")  # fmt: skip
    return failed


def drill_replica(base, urls, headers, folder):
    replica = CLUSTER / "postgres-replica"
    load_ = Load(base, urls["rest"] + urls["near"] + urls["pages"], 50, 20, headers, folder)
    time.sleep(6)
    subprocess.run(as_postgres(PG_CTL, "-D", str(replica), "-m", "immediate", "stop"),
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    time.sleep(1)
    during = readyz(base)
    result = load_.result()
    print("stopped the replica (immediate shutdown) 6 s into a 20 s run of reads")
    failed = report("replica", result)
    print(f"  /readyz with the replica down: {during['status']}, replica "
          f"{during['checks']['replica']}")  # fmt: skip
    restore()
    time.sleep(6)  # the routers check the replica again every REPLICA_CHECK_SECONDS
    after = readyz(base)
    print(f"  started again: /readyz {after['status']}, replica {after['checks']['replica']}")
    return failed


def drill_worker(base, count=6):
    layers = []
    try:
        for n in range(count):
            layer = Layer.objects.create(
                slug=f"drill-import-{n}", title_en=f"Drill import {n} (a copy of the settlements)"
            )
            with open(SETTLEMENTS, "rb") as handle:
                source = receive_upload(File(handle, name=SETTLEMENTS.name))
            queue_import(layer, source, SETTLEMENTS.name)
            layers.append(layer)
        started = time.monotonic()
        mine = Layer.objects.filter(pk__in=[x.pk for x in layers])
        while mine.filter(status="importing").count() < 2:
            if time.monotonic() - started > 120:
                raise SystemExit("the workers did not start importing within 2 minutes")
            time.sleep(0.2)
        pidfile = CLUSTER / "run" / "worker-1.pid"
        os.killpg(int(pidfile.read_text()), signal.SIGKILL)
        print(f"queued {count} imports; killed worker-1 (SIGKILL) "
              f"{time.monotonic() - started:.1f} s later, while two imports ran")  # fmt: skip
        # The others finish the queue; the killed worker's own import is found by the sweep
        # (beat, every IMPORT_SWEEP_SECONDS, once silent for IMPORT_STALE_SECONDS) and queued
        # again for the worker left.
        deadline = time.monotonic() + 600
        rest_done = None
        while time.monotonic() < deadline:
            states = dict(mine.values_list("slug", "status"))
            done = sum(s in ("ready", "failed") for s in states.values())
            if rest_done is None and done >= count - 1:
                rest_done = time.monotonic() - started
            if done == count:
                break
            time.sleep(1)
        took = time.monotonic() - started
        ready = sum(s == "ready" for s in states.values())
        print(f"worker: the other worker finished the other {count - 1} imports "
              f"{rest_done or float('nan'):.0f} s after queueing; all {count} done in {took:.0f} s "
              f"({ready} ready, states {sorted(set(states.values()))}): the killed worker's "
              f"import was recovered by the sweep and imported again")  # fmt: skip
        return count - ready
    finally:
        for layer in layers:
            Layer.objects.filter(pk=layer.pk).delete()
        restore()


def drill_reload(base, urls, headers, folder):
    """Twice: with keep-alive connections (an old nginx worker closes the idle ones it holds, as
    HTTP allows; browsers then resend, wrk counts a read error), and with a connection per
    request (every request must be answered)."""
    failed = 0
    for mode, extra in (("keep-alive", []), ("connection per request", ["Connection: close"])):
        load_ = Load(base, urls["tiles"] + urls["pages"], 100, 16, [*headers, *extra], folder)
        for _ in range(2):
            time.sleep(5)
            subprocess.run([*NGINX, "-s", "reload"], check=True, stderr=subprocess.DEVNULL)
        result = load_.result()
        print(f"nginx -s reload at 5 s and 10 s of a 16 s run, {mode}")
        failed += report(f"reload ({mode})", result)
    return failed


def drill_restore(port=RESTORE_PORT):
    primary = connections["default"].settings_dict
    socket = str(CLUSTER / "run")
    target = CLUSTER / "restore-drill"
    archive = CLUSTER / "wal-archive"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(mode=0o700)
    if os.getuid() == 0:
        shutil.chown(target, "postgres")
    started = time.monotonic()
    subprocess.run(as_postgres(PG_BASEBACKUP, "-h", socket, "-p", str(primary["PORT"]), "-U",
                               "postgres", "-D", str(target), "-X", "none", "--checkpoint=fast"),
                   check=True, stderr=subprocess.DEVNULL)  # fmt: skip
    took_backup = time.monotonic() - started
    marker = f"restore-drill-{int(time.time())}"
    Group.objects.create(name=marker)
    features = Feature.objects.using("default").count()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_walfile_name(pg_switch_wal())")
        last_wal = cursor.fetchone()[0]
    while not (archive / last_wal).exists():
        time.sleep(0.2)
    with open(target / "postgresql.conf", "a") as conf:
        conf.write(f"port = {port}\narchive_mode = off\nrestore_command = 'cp {archive}/%f %p'\n"
                   "recovery_target_action = 'promote'\n")  # fmt: skip
    (target / "recovery.signal").touch()
    (target / "standby.signal").unlink(missing_ok=True)
    restoring = time.monotonic()
    log = CLUSTER / "log" / "restore-drill.log"
    subprocess.run(as_postgres(PG_CTL, "-D", str(target), "-l", str(log), "-w", "-t", "300",
                               "start"), check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        restored = {**primary, "PORT": port}
        connections.settings["restored"] = restored
        while True:
            with connections["restored"].cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                if not cursor.fetchone()[0]:
                    break
            time.sleep(0.2)
        took_restore = time.monotonic() - restoring
        found = Group.objects.using("restored").filter(name=marker).exists()
        restored_features = Feature.objects.using("restored").count()
    finally:
        connections["restored"].close()
        subprocess.run(as_postgres(PG_CTL, "-D", str(target), "-m", "fast", "stop"),
                       stdout=subprocess.DEVNULL)  # fmt: skip
        Group.objects.filter(name=marker).delete()
    size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file()) / 1e6
    shutil.rmtree(target, ignore_errors=True)
    print(f"restore: base backup {size:.0f} MB in {took_backup:.1f} s; restored from it and the "
          f"WAL archive in {took_restore:.1f} s; the row written after the backup: "
          f"{'there' if found else 'MISSING'}; features {restored_features} "
          f"(primary {features})")  # fmt: skip
    return 0 if found and restored_features == features else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "drills", nargs="*", default=["web", "replica", "worker", "reload", "restore"]
    )
    port = os.environ.get("CLUSTER_HTTP_PORT", "8080")
    parser.add_argument("--base", default=f"http://127.0.0.1:{port}")
    args = parser.parse_args()

    urls = paths(random.Random(14))
    # The API clients use the bench token (their own rate limit); tiles go without (a token
    # would pass by nginx's cache).
    with_token = ["Accept-Encoding: gzip", f"Authorization: Token {bench_token()}"]
    print(f"{os.cpu_count()} cores; load average before: {load()}")
    failed = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in args.drills:
            print(f"\n== {name}")
            if name == "worker":
                failed[name] = drill_worker(args.base)
            elif name == "restore":
                failed[name] = drill_restore()
            elif name == "reload":
                failed[name] = drill_reload(args.base, urls, ["Accept-Encoding: gzip"], folder)
            else:
                failed[name] = globals()[f"drill_{name}"](args.base, urls, with_token, folder)
    print(f"\nload average after: {load()}")
    print("failed requests by drill: " + ", ".join(f"{k} {v}" for k, v in failed.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
