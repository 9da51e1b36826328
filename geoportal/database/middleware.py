"""Read-your-writes across requests, and reads that survive the replica failing.

A request that writes (any unsafe method, or a save during a GET such as a login's session)
pins its client to the primary for READ_YOUR_WRITES_SECONDS with a cookie: the planner who just
saved a layer sees it on the next page, whatever the replica's lag. A GET whose query on the
replica fails is marked down and answered again from the primary, once.
"""

import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

from . import replica, router

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _cookie_until(request, now):
    """The pin a client brings, capped so that a forged cookie cannot pin it for long."""
    try:
        until = float(request.COOKIES.get(settings.READ_YOUR_WRITES_COOKIE, "0"))
    except ValueError:
        return 0.0
    return min(until, now + settings.READ_YOUR_WRITES_SECONDS)


class ReadYourWritesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = time.time()
        brought = _cookie_until(request, now)
        until = brought
        if request.method not in SAFE_METHODS:
            until = now + settings.READ_YOUR_WRITES_SECONDS
        token = router._primary_until.set(until)
        try:
            response = self.get_response(request)
            pinned = router.primary_pinned_until()
        finally:
            router._primary_until.reset(token)
        if pinned > max(brought, now):
            response.set_cookie(
                settings.READ_YOUR_WRITES_COOKIE,
                f"{pinned:.3f}",
                max_age=settings.READ_YOUR_WRITES_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response


class ReplicaFallbackMiddleware:
    """Last in MIDDLEWARE, so that its process_exception runs before ServerErrorMiddleware turns
    the replica's failure into a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if (
            not isinstance(exception, OperationalError | InterfaceError)
            or request.method not in SAFE_METHODS
            or replica.REPLICA not in connections.settings
            or not connections[replica.REPLICA].errors_occurred
            or getattr(request, "_answered_from_primary", False)
        ):
            return None
        replica.mark_down(type(exception).__name__)
        connections[replica.REPLICA].close()
        request._answered_from_primary = True
        router.pin_to_primary(time.time() + settings.REPLICA_CHECK_SECONDS)
        # The same request again, every read on the primary now.
        return self.get_response(request)
