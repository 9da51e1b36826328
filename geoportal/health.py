"""Health endpoints for load balancers, nginx and operators: /healthz (the process answers) and
/readyz (what serving needs: the primary, Redis; and what it is better with: the replica and its
lag, the Celery workers). JSON, no secrets (no URLs, hosts or ports), not throttled, cheap: one
query per database, one PING per Redis and a worker ping that returns as soon as the expected
number of workers have answered."""

import time

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from geoportal.celery import app as celery_app
from geoportal.database import replica

_redis_clients = {}


def _timed(check):
    started = time.perf_counter()
    result = check()
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def primary_check():
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def replica_check():
    state = replica.check()
    if not state.configured:
        return {"ok": True, "configured": False}
    found = {"ok": state.usable, "configured": True, "reachable": state.reachable}
    found["lag_seconds"] = None if state.lag_seconds is None else round(state.lag_seconds, 3)
    if state.error:
        found["error"] = state.error
    return found


def redis_urls():
    """The Redis servers the portal uses (cache and broker), each once."""
    return list(dict.fromkeys([settings.CACHES["default"]["LOCATION"], settings.CELERY_BROKER_URL]))


def redis_check():
    try:
        for url in redis_urls():
            client = _redis_clients.get(url)
            if client is None:
                client = _redis_clients[url] = redis.Redis.from_url(
                    url, socket_timeout=1, socket_connect_timeout=1
                )
            client.ping()
    except redis.RedisError as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def workers_check():
    """Celery workers answering a ping (their names without the host)."""
    replies = celery_app.control.ping(
        timeout=settings.HEALTH_WORKER_TIMEOUT, limit=settings.HEALTH_EXPECTED_WORKERS
    )
    names = sorted(name.partition("@")[0] for reply in replies for name in reply)
    return {"ok": bool(names), "answering": names}


def readiness():
    """(ready, degraded, checks): not ready without the primary or Redis; degraded (still
    serving: reads fall back on the primary, imports wait in the queue) without the replica or
    a worker."""
    checks = {"primary": _timed(primary_check), "redis": _timed(redis_check)}
    checks["replica"] = _timed(replica_check)
    # Without Redis a worker ping would only wait for the broker.
    checks["workers"] = _timed(workers_check) if checks["redis"]["ok"] else {"ok": False}
    ready = checks["primary"]["ok"] and checks["redis"]["ok"]
    degraded = not (checks["replica"]["ok"] and checks["workers"]["ok"])
    return ready, degraded, checks


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok", "instance": settings.INSTANCE_NAME})


@never_cache
@require_GET
def readyz(request):
    ready, degraded, checks = readiness()
    status = "not ready" if not ready else "degraded" if degraded else "ready"
    return JsonResponse(
        {"status": status, "instance": settings.INSTANCE_NAME, "checks": checks},
        status=200 if ready else 503,
    )
