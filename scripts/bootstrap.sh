#!/usr/bin/env bash
# Installs what the portal needs and is missing: Debian packages, then a venv from pyproject.toml.
# Idempotent: a second run checks and returns in about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_MAJOR="${PG_MAJOR:-15}"
# Every program the code, tests and scripts start comes from one of these (or what they depend
# on): tests/geoportal/test_install_steps.py checks it. make is listed although it runs this
# script, so that the list is the whole truth. `make cluster` (scripts/cluster.sh) needs nginx,
# pgbouncer, curl (its probe) and wrk (bench/cluster.py's load); bench/lighthouse runs on nodejs;
# tests/geoportal/test_layout.py runs git. No comment inside the list: readers of this file that
# stop at one would miss the packages after it.
APT_PACKAGES=(
  "postgresql-${PG_MAJOR}" "postgresql-${PG_MAJOR}-postgis-3" postgis
  gdal-bin libgdal-dev libgeos-dev libproj-dev binutils
  redis-server gettext chromium fonts-dejavu-core python3-venv make
  nginx pgbouncer curl wrk nodejs git
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # Debian's postgresql-common would create and start a system cluster; ours lives under ./var.
  $SUDO mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Started by root, `make run` runs the web server and the worker as this unprivileged user.
if [ "$(id -u)" -eq 0 ] && ! id -u geoportal >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin geoportal
fi

# Debian's own Python 3.11 (python3-venv above) when there is one: an interpreter under a
# user's home (pyenv in /root) could not be run by the `geoportal` user of `make run`.
if [ -z "${PYTHON:-}" ] && [ -x /usr/bin/python3.11 ]; then PYTHON=/usr/bin/python3.11; fi
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
stamp=.venv/.installed
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing Python dependencies into .venv"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[test,bench]'
  touch "$stamp"
fi
