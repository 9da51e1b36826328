#!/usr/bin/env bash
# `make cluster` / `make cluster-stop`: the portal as it runs in production, on this machine,
# under var/cluster: nginx on CLUSTER_HTTP_PORT (8080) in front of two gunicorn instances, two
# Celery workers and beat, Redis, PgBouncer (transaction pooling), and PostgreSQL as a primary
# plus a streaming replica. The configuration is deploy/'s files, rendered with this machine's
# paths and ports; the processes are the ExecStart lines of deploy/systemd's units.
#   scripts/cluster.sh start|stop|status|check
# Idempotent: start starts what is not running; stop stops what is. check renders the files and
# has nginx test them (CLUSTER_DIR=elsewhere renders there; the tests do).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
C="${CLUSTER_DIR:-$ROOT/var/cluster}"
PY="$ROOT/.venv/bin/python"

# Every port can be moved (only one cluster can have 8080 on a machine); none is a port of
# `make run` or `make test` (54329, 63799, 8000, and the developers' own).
HTTP_PORT="${CLUSTER_HTTP_PORT:-8080}"
WEB_PORTS="${CLUSTER_WEB_PORTS:-8081 8082}"
WORKERS="${CLUSTER_WORKERS:-2}"
PG_PORT="${CLUSTER_PG_PORT:-58432}"
REPLICA_PORT="${CLUSTER_REPLICA_PORT:-58433}"
PGBOUNCER_PORT="${CLUSTER_PGBOUNCER_PORT:-58434}"
CLUSTER_REDIS="${CLUSTER_REDIS_PORT:-58379}"
DB_NAME=geoportal
DB_USER=geoportal

# PostgreSQL and PgBouncer refuse to run as root: run them as the postgres user then.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

services() {
  VAR_DIR="$C" SERVICES_PROFILE=production PGPORT="$PG_PORT" REPLICA_PGPORT="$REPLICA_PORT" \
    REDIS_PORT="$CLUSTER_REDIS" DB_NAME="$DB_NAME" DB_USER="$DB_USER" scripts/services.sh "$1"
}

# What deploy/'s templates are filled with (the rest of ${...} is left for systemd or nginx).
render_values() {
  export GEOPORTAL_ROOT="$ROOT" ENV_DIR="$C/etc" STATE_DIR="$C/state"
  export LOG_DIR="$C/log" SERVICE_USER="$(id -un)" WEB_BIND_HOST=127.0.0.1
  export NGINX_DIR="$C/nginx" NGINX_SITE_DIR="$C/nginx" NGINX_SNIPPETS_DIR="$C/nginx"
  export NGINX_CACHE_DIR="$C/nginx/cache" HTTP_LISTEN="127.0.0.1:$HTTP_PORT"
  export SERVER_NAME="127.0.0.1 localhost" FORWARDED_PROTO='$scheme'
  NGINX_USER=""
  # As root nginx's workers run as www-data (Debian's nginx user) and read what they serve.
  if [ "$(id -u)" -eq 0 ]; then NGINX_USER="user www-data;"; fi
  export NGINX_USER
  export STATIC_ROOT="$C/static" MEDIA_ROOT="$C/media" IMPORT_ROOT="$C/media/imports"
  export DOWNLOADS_ROOT="$C/media/downloads" MAX_UPLOAD_SIZE="${MAX_UPLOAD_SIZE:-2147483648}"
  UPSTREAM_SERVERS=""
  for port in $WEB_PORTS; do
    UPSTREAM_SERVERS+="    server 127.0.0.1:$port max_fails=2 fail_timeout=5s;"$'\n'
  done
  export UPSTREAM_SERVERS
  export DB_NAME PRIMARY_HOST=127.0.0.1 PRIMARY_PORT="$PG_PORT" REPLICA_HOST=127.0.0.1
  export REPLICA_PORT PGBOUNCER_LISTEN_ADDR=127.0.0.1 PGBOUNCER_PORT PGBOUNCER_RUN_DIR="$C/pgbouncer"
  # trust on loopback, like the test servers: a server uses scram-sha-256 (docs/deploy.md).
  export PGBOUNCER_AUTH_TYPE=trust PGBOUNCER_AUTH_FILE="$C/pgbouncer/userlist.txt"
  export SECRET_KEY ALLOWED_HOSTS="127.0.0.1,localhost" CSRF_TRUSTED_ORIGINS=""
  SECRET_KEY="$(cat "$C/secrets/secret_key")"
  export SECURE_SSL_REDIRECT=false
  export POOLED_DATABASE_URL="postgis://$DB_USER@127.0.0.1:$PGBOUNCER_PORT/$DB_NAME"
  export POOLED_REPLICA_URL="postgis://$DB_USER@127.0.0.1:$PGBOUNCER_PORT/${DB_NAME}_replica"
  export PRIMARY_DATABASE_URL="postgis://$DB_USER@127.0.0.1:$PG_PORT/$DB_NAME"
  export REDIS_URL="redis://127.0.0.1:$CLUSTER_REDIS/0"
  export HEALTH_EXPECTED_WORKERS="$WORKERS" WEB_WORKERS="${WEB_WORKERS:-2}"
  export WEB_THREADS="${WEB_THREADS:-8}" WORKER_CONCURRENCY=1
  export API_RATE_USERS="bench:1000000/minute"
  RENDERED=(GEOPORTAL_ROOT ENV_DIR STATE_DIR LOG_DIR SERVICE_USER WEB_BIND_HOST
    NGINX_DIR NGINX_SITE_DIR NGINX_SNIPPETS_DIR NGINX_CACHE_DIR NGINX_USER HTTP_LISTEN
    SERVER_NAME FORWARDED_PROTO STATIC_ROOT MEDIA_ROOT IMPORT_ROOT DOWNLOADS_ROOT MAX_UPLOAD_SIZE
    UPSTREAM_SERVERS DB_NAME PRIMARY_HOST PRIMARY_PORT REPLICA_HOST REPLICA_PORT
    PGBOUNCER_LISTEN_ADDR PGBOUNCER_PORT PGBOUNCER_RUN_DIR PGBOUNCER_AUTH_TYPE PGBOUNCER_AUTH_FILE
    SECRET_KEY ALLOWED_HOSTS CSRF_TRUSTED_ORIGINS SECURE_SSL_REDIRECT POOLED_DATABASE_URL
    POOLED_REPLICA_URL PRIMARY_DATABASE_URL REDIS_URL HEALTH_EXPECTED_WORKERS WEB_WORKERS
    WEB_THREADS WORKER_CONCURRENCY API_RATE_USERS)
}

render() {
  envsubst "$(printf '${%s} ' "${RENDERED[@]}")" <"deploy/$1" >"$2"
}

render_all() {
  mkdir -p "$C"/{etc,run,state,log,secrets,nginx/cache,pgbouncer,systemd,static,media/imports}
  mkdir -p "$C/media/downloads"
  chmod 700 "$C/secrets" "$C/etc"
  if [ ! -s "$C/secrets/secret_key" ]; then
    (umask 077; "$PY" -c 'import secrets; print(secrets.token_urlsafe(64))' >"$C/secrets/secret_key")
  fi
  render_values
  (umask 077; render geoportal.env "$C/etc/geoportal.env"; render worker.env "$C/etc/worker.env")
  render nginx/nginx.conf "$C/nginx/nginx.conf"
  render nginx/geoportal.conf "$C/nginx/geoportal.conf"
  render nginx/geoportal-cache.conf "$C/nginx/geoportal-cache.conf"
  render pgbouncer/pgbouncer.ini "$C/pgbouncer/pgbouncer.ini"
  echo "\"$DB_USER\" \"\"" >"$C/pgbouncer/userlist.txt"
  for unit in geoportal-web@.service geoportal-worker@.service geoportal-beat.service; do
    render "systemd/$unit" "$C/systemd/$unit"
  done
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres "$C/pgbouncer"
    chown -R www-data "$C/nginx/cache"
  fi
}

running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Starts what a rendered unit starts, as systemd would: its EnvironmentFile= files in order,
# then its ExecStart= line with %i the instance; output to var/cluster/log/<name>.log. Like
# systemd, it keeps the main process's id itself (var/cluster/run/<name>.pid), in a process
# group of its own.
start_unit() {
  local unit="$C/systemd/$1" instance="$2" name="$3" command
  if running "$C/run/$name.pid"; then return; fi
  command="$(sed -n 's/^ExecStart=//p' "$unit" | sed "s/%i/$instance/g; s/%%/%/g")"
  (
    set -a
    while read -r file; do . "$file"; done < <(sed -n 's/^EnvironmentFile=//p' "$unit")
    set +a
    eval "setsid $command >>'$C/log/$name.log' 2>&1 </dev/null &"
    echo $! >"$C/run/$name.pid"
  )
}

manage() {
  (set -a; . "$C/etc/geoportal.env"; . "$C/etc/worker.env"; set +a; "$PY" manage.py "$@")
}

# Ready when every gunicorn instance has answered /readyz through nginx with "ready".
wait_ready() {
  local body="" seen=" " port
  for _ in $(seq 240); do
    body="$(curl -s "http://127.0.0.1:$HTTP_PORT/readyz" || true)"
    case "$body" in
      *'"status": "ready"'*)
        port="$(sed -n 's/.*"instance": "web-\([0-9]*\)".*/\1/p' <<<"$body")"
        [[ "$seen" == *" $port "* ]] || { seen+="$port "; echo "cluster: ready: $body"; }
        if [ "$(wc -w <<<"$seen")" -ge "$(wc -w <<<"$WEB_PORTS")" ]; then return 0; fi
        ;;
    esac
    sleep 0.25
  done
  echo "cluster: not ready after 60 s: $body" >&2
  return 1
}

start() {
  render_all
  services start
  if ! running "$C/pgbouncer/pgbouncer.pid"; then
    as_pg pgbouncer -d -q "$C/pgbouncer/pgbouncer.ini"
  fi
  manage migrate --noinput -v 0
  # Again only when a static file (or a package bringing some) changed: it takes a while.
  if [ ! -f "$C/state/static" ] || [ -n "$(find static pyproject.toml -newer "$C/state/static" | head -1)" ]; then
    manage collectstatic --noinput -v 0
    touch "$C/state/static"
  fi
  local n
  for n in $(seq "$WORKERS"); do start_unit geoportal-worker@.service "$n" "worker-$n"; done
  start_unit geoportal-beat.service "" beat
  # The demo data, once per database (load_demo is idempotent, but slow to say so).
  if [ ! -f "$C/state/demo" ]; then manage load_demo && touch "$C/state/demo"; fi
  for port in $WEB_PORTS; do
    # A running instance reloads its workers gracefully (new code, no dropped request).
    if running "$C/run/web-$port.pid"; then kill -HUP "$(cat "$C/run/web-$port.pid")"; fi
    start_unit geoportal-web@.service "$port" "web-$port"
  done
  if running "$C/nginx/nginx.pid"; then
    nginx -p "$C/nginx" -c "$C/nginx/nginx.conf" -s reload
  else
    nginx -p "$C/nginx" -c "$C/nginx/nginx.conf"
  fi
  wait_ready
  echo "cluster: http://127.0.0.1:$HTTP_PORT (logs in var/cluster/log; make cluster-stop)"
}

stop_pid() {
  local pidfile="$1" pid
  running "$pidfile" || return 0
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  if running "$C/nginx/nginx.pid"; then nginx -p "$C/nginx" -c "$C/nginx/nginx.conf" -s quit; fi
  for pidfile in "$C"/run/web-*.pid "$C"/run/worker-*.pid "$C/run/beat.pid" \
    "$C/pgbouncer/pgbouncer.pid" "$C/nginx/nginx.pid"; do
    [ -e "$pidfile" ] && stop_pid "$pidfile"
  done
  if [ -d "$C" ]; then services stop; fi
  echo "cluster: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    for pidfile in "$C"/run/*.pid "$C/pgbouncer/pgbouncer.pid" "$C/nginx/nginx.pid"; do
      if running "$pidfile"; then echo "running: $(basename "$pidfile" .pid)"; fi
    done
    services status
    curl -s "http://127.0.0.1:$HTTP_PORT/readyz" || echo "nginx: not answering on $HTTP_PORT"
    ;;
  check)
    render_all
    nginx -t -q -p "$C/nginx" -c "$C/nginx/nginx.conf"
    ;;
  *) echo "usage: $0 start|stop|status|check" >&2; exit 2 ;;
esac
