#!/usr/bin/env bash
# Private PostgreSQL/PostGIS and Redis under ./var, on loopback ports of their own,
# so they never collide with a system PostgreSQL or Redis.
#   scripts/services.sh start|stop|status
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PG_MAJOR="${PG_MAJOR:-15}"
PGBIN="/usr/lib/postgresql/${PG_MAJOR}/bin"
PGPORT="${PGPORT:-54329}"
REDIS_PORT="${REDIS_PORT:-63799}"
PGDATA="$ROOT/var/postgres"
SOCKDIR="$ROOT/var/run"
DB_NAME="${DB_NAME:-geoportal}"
DB_USER="${DB_USER:-geoportal}"

# PostgreSQL refuses to run as root: run it as the postgres user then.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  mkdir -p "$ROOT/var/log" "$SOCKDIR" "$ROOT/var/static" "$ROOT/var/media"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$SOCKDIR" "$ROOT/var/log"; fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$PGDATA"; fi
    # trust only on the private socket and loopback: this cluster is for local development and tests.
    as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$SOCKDIR'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
max_connections = 200
CONF
  fi
  if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$ROOT/var/log/postgres.log" -w -t 60 start >/dev/null
  fi
  psql_pg() { as_pg "$PGBIN/psql" -h "$SOCKDIR" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
  if [ -z "$(psql_pg -c "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'")" ]; then
    # Superuser so that the test runner can CREATE EXTENSION postgis in its own database.
    psql_pg -c "CREATE ROLE \"$DB_USER\" LOGIN SUPERUSER"
  fi
  if [ -z "$(psql_pg -c "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'")" ]; then
    psql_pg -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\""
  fi
  psql_pg -d "$DB_NAME" -c "CREATE EXTENSION IF NOT EXISTS postgis"
}

redis_start() {
  mkdir -p "$ROOT/var/redis" "$ROOT/var/log"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$ROOT/var/redis" \
      --daemonize yes --pidfile "$ROOT/var/run/redis.pid" --logfile "$ROOT/var/log/redis.log" \
      --save "" --appendonly no
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
}

case "${1:-}" in
  start) pg_start; redis_start ;;
  stop)
    if [ -s "$PGDATA/PG_VERSION" ]; then as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true; fi
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    if [ -f "$ROOT/var/worker/celery.pid" ]; then kill "$(cat "$ROOT/var/worker/celery.pid")" 2>/dev/null || true; rm -f "$ROOT/var/worker/celery.pid"; fi
    ;;
  status)
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status || true
    redis-cli -p "$REDIS_PORT" ping || true
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
