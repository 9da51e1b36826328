#!/usr/bin/env bash
# Runs a command of `make run` (the web server, the Celery worker). Started by root, it runs as the
# unprivileged system user APP_USER (default geoportal, made by bootstrap.sh), which owns only
# var/media (uploads) and var/worker: outside CI nothing that reads planners' files runs as root.
# Started by anyone else, it runs as that user.
#   scripts/as-app-user.sh COMMAND [ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
APP_USER="${APP_USER:-geoportal}"
mkdir -p var/media/imports var/worker
if [ "$(id -u)" -ne 0 ]; then
  exec "$@"
fi
chown -R "$APP_USER" var/media var/worker
if ! runuser -u "$APP_USER" -- .venv/bin/python -c "" 2>/dev/null; then
  echo "$APP_USER cannot run $(readlink -f .venv/bin/python): remove .venv and run again" \
    "(bootstrap makes it with Debian's Python)" >&2
  exit 1
fi
exec runuser -u "$APP_USER" -- "$@"
