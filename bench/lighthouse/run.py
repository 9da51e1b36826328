"""Lighthouse (npm, in this folder) on every kind of page, in its mobile profile, against the
portal served as in production: geoportal.production settings, static files collected (hashed,
compressed, cached for a year by WhiteNoise) and gunicorn. Prints each page's scores.

    export PGPORT=.. REDIS_PORT=..
    make demo                                   # once: the demo data
    (cd bench/lighthouse && npm ci)             # once: Lighthouse itself (package-lock.json)
    .venv/bin/python bench/lighthouse/run.py    # every page; --pages / /services/ for some

It reads the portal's own database (nothing is written); static files are collected into a
temporary folder. Lighthouse drives Debian's chromium (/usr/bin/chromium), throttled as a
mid-range phone on a slow 4G network (Lighthouse's default mobile profile), so the scores do not
depend on this machine's network; they do depend on its CPU: say how loaded it was.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PAGES = [
    "/", "/en/", "/cities/", "/cities/minsk/", "/layers/", "/layers/osm-settlements-belarus/",
    "/services/", "/indicators/", "/about/data/", "/ogc/?f=html",
]  # fmt: skip


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(static_root, settings):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "SECRET_KEY": "lighthouse-bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(static_root),
        "BASEMAP_URL": "",
        "LOG_LEVEL": "WARNING",
        # The bench is one client asking many times: the API allowance must not be what it measures.
        "API_RATE_ANON": "100000/minute",
        "API_RATE_USER": "100000/minute",
    }


def lighthouse(url):
    cli = HERE / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.exists():
        sys.exit("Lighthouse is not installed: (cd bench/lighthouse && npm ci)")
    result = subprocess.run(
        ["node", str(cli), url, "--quiet", "--output=json", "--output-path=stdout",
         "--only-categories=performance,accessibility,best-practices",
         "--chrome-path=/usr/bin/chromium",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1:] or ["failed"]}
    report = json.loads(result.stdout)
    audits = report["audits"]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "best-practices": round(report["categories"]["best-practices"]["score"] * 100),
        "LCP s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "CLS": audits["cumulative-layout-shift"]["numericValue"],
        "TBT ms": audits["total-blocking-time"]["numericValue"],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", nargs="*", default=PAGES)
    parser.add_argument("--settings", default="geoportal.production")
    args = parser.parse_args()
    python = ROOT / ".venv" / "bin" / "python"
    with tempfile.TemporaryDirectory() as static_root:
        env = server_env(static_root, args.settings)
        subprocess.run([str(python), "manage.py", "collectstatic", "--noinput", "-v0"],
                       cwd=ROOT, env=env, check=True)  # fmt: skip
        port = free_port()
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "geoportal.wsgi", "-b", f"127.0.0.1:{port}",
             "-w", "2", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            for _ in range(100):
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.2)
            print(f"{'page':40} perf  a11y  b-p   LCP s   CLS    TBT ms")
            for page in args.pages:
                scores = lighthouse(f"http://127.0.0.1:{port}{page}")
                if "error" in scores:
                    print(f"{page:40} error: {scores['error']}")
                    continue
                print(f"{page:40} {scores['performance']:4}  {scores['accessibility']:4}  "
                      f"{scores['best-practices']:4}  {scores['LCP s']:5.1f}  "
                      f"{scores['CLS']:6.3f}  {scores['TBT ms']:7.0f}")  # fmt: skip
            print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
