#!/usr/bin/env bash
# Private PostgreSQL/PostGIS (a primary and its streaming replica) and Redis under ./var, on
# loopback ports of their own, so they never collide with a system PostgreSQL or Redis.
#   scripts/services.sh start|stop|status
# scripts/cluster.sh runs it too, for the cluster's own servers: VAR_DIR=var/cluster, its ports,
# and SERVICES_PROFILE=production (durable writes, Redis kept on disk).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PG_MAJOR="${PG_MAJOR:-15}"
PGBIN="/usr/lib/postgresql/${PG_MAJOR}/bin"
PGPORT="${PGPORT:-54329}"
# The replica's port: 1000 below the primary's unless told (developers' ports are 100 apart).
REPLICA_PGPORT="${REPLICA_PGPORT:-$((PGPORT - 1000))}"
REDIS_PORT="${REDIS_PORT:-63799}"
VAR="${VAR_DIR:-$ROOT/var}"
PROFILE="${SERVICES_PROFILE:-development}"
PGDATA="$VAR/postgres"
REPLICA_PGDATA="$VAR/postgres-replica"
SOCKDIR="$VAR/run"
DB_NAME="${DB_NAME:-geoportal}"
DB_USER="${DB_USER:-geoportal}"

# PostgreSQL refuses to run as root: run it as the postgres user then.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_config_lines() {
  echo "listen_addresses = '127.0.0.1'"
  echo "port = $PGPORT"
  echo "unix_socket_directories = '$SOCKDIR'"
  if [ "$PROFILE" = production ]; then
    echo "shared_buffers = 256MB"
    # WAL archiving beside the base backups (docs/deploy.md; bench/drills.py restore tests it).
    echo "archive_mode = on"
    echo "archive_command = 'test ! -f $VAR/wal-archive/%f && cp %p $VAR/wal-archive/%f'"
  else
    # Tests and development: speed over durability.
    printf '%s\n' "fsync = off" "synchronous_commit = off" "full_page_writes = off" \
      "shared_buffers = 512MB" "max_wal_size = 4GB"
  fi
  printf '%s\n' "work_mem = 64MB" "maintenance_work_mem = 512MB" "max_connections = 200" \
    "wal_level = replica" "max_wal_senders = 5" "max_replication_slots = 5" \
    "max_slot_wal_keep_size = 4GB" "hot_standby_feedback = on"
}

pg_start() {
  mkdir -p "$VAR/log" "$SOCKDIR" "$VAR/static" "$VAR/media"
  if [ "$PROFILE" = production ]; then mkdir -p "$VAR/wal-archive"; fi
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$SOCKDIR" "$VAR/log"; fi
  if [ "$(id -u)" -eq 0 ] && [ -d "$VAR/wal-archive" ]; then chown postgres "$VAR/wal-archive"; fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$PGDATA"; fi
    # trust only on the private socket and loopback: this cluster is for local development and tests.
    as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    pg_config_lines >>"$PGDATA/postgresql.conf"
  fi
  if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$VAR/log/postgres.log" -w -t 60 start >/dev/null
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

system_id() { "$PGBIN/pg_controldata" "$1" 2>/dev/null | sed -n 's/^Database system identifier: *//p'; }

# The streaming replica: a pg_basebackup of the primary (over the private socket) that follows
# it through a replication slot. Made again when the primary was made anew.
replica_start() {
  if [ -s "$REPLICA_PGDATA/PG_VERSION" ] && [ "$(system_id "$REPLICA_PGDATA")" != "$(system_id "$PGDATA")" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$REPLICA_PGDATA" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$REPLICA_PGDATA"
  fi
  if [ ! -s "$REPLICA_PGDATA/PG_VERSION" ]; then
    as_pg "$PGBIN/psql" -h "$SOCKDIR" -p "$PGPORT" -U postgres -qtA -c \
      "SELECT pg_drop_replication_slot('replica') FROM pg_replication_slots WHERE slot_name = 'replica'" >/dev/null
    rm -rf "$REPLICA_PGDATA"
    mkdir -p "$REPLICA_PGDATA"
    chmod 700 "$REPLICA_PGDATA"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$REPLICA_PGDATA"; fi
    as_pg "$PGBIN/pg_basebackup" -h "$SOCKDIR" -p "$PGPORT" -U postgres -D "$REPLICA_PGDATA" \
      -X stream -R -C -S replica --checkpoint=fast
    echo "port = $REPLICA_PGPORT" >>"$REPLICA_PGDATA/postgresql.conf"
  fi
  if ! as_pg "$PGBIN/pg_ctl" -D "$REPLICA_PGDATA" status >/dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$REPLICA_PGDATA" -l "$VAR/log/postgres-replica.log" -w -t 60 start >/dev/null
  fi
}

redis_start() {
  mkdir -p "$VAR/redis" "$VAR/log"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    local persist=(--save "" --appendonly no)
    # The cluster's broker keeps queued tasks across a restart.
    if [ "$PROFILE" = production ]; then persist=(--appendonly yes); fi
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$VAR/redis" \
      --daemonize yes --pidfile "$VAR/run/redis.pid" --logfile "$VAR/log/redis.log" "${persist[@]}"
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
}

pg_stop() {
  if [ -s "$1/PG_VERSION" ]; then as_pg "$PGBIN/pg_ctl" -D "$1" -m fast stop >/dev/null 2>&1 || true; fi
}

case "${1:-}" in
  start) pg_start; replica_start; redis_start ;;
  stop)
    pg_stop "$REPLICA_PGDATA"
    pg_stop "$PGDATA"
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    if [ -f "$VAR/worker/celery.pid" ]; then kill "$(cat "$VAR/worker/celery.pid")" 2>/dev/null || true; rm -f "$VAR/worker/celery.pid"; fi
    ;;
  status)
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status || true
    as_pg "$PGBIN/pg_ctl" -D "$REPLICA_PGDATA" status || true
    redis-cli -p "$REDIS_PORT" ping || true
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
