"""Rate limits that hold: one atomic Redis operation per request, by a client address that a
forged X-Forwarded-For cannot change, in scopes that fit what each part of the portal costs.

- The client address is REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies, the address the
  outermost of them saw (that many entries from the right of X-Forwarded-For): entries a client
  writes itself are further left and never read. IPv6 clients count per /64 network.
- Each request is counted by one Lua script (INCR, and the window's expiry when it starts):
  atomic under any number of processes and threads, one round trip. A view that declares the
  cache keys it reads first (`reads_with_count`: a cached tile's layer record and bytes) gets
  them from the same script, so that such a request costs one round trip in all.
- Scopes (RATE_LIMITS): the REST API (anonymous by address, users by account), the OGC API,
  tiles and TileJSON, downloads (tighter: each one is heavy), and the portal's pages. The map
  pages fetch /api/v1/, /layers/*.json and tiles themselves: a browser showing the portal's pages
  carries a signed cookie (set on every HTML page), and its data requests count in the pages
  scope of that browser, not against the public API limit of its address.
- Over the limit: 429 with Retry-After, in the one error format.

The REST API is counted by a DRF throttle (after DRF has authenticated a token, so a user counts
as that user); everything else by RateLimitMiddleware.
"""

import ipaddress
import logging
import math
import secrets
import weakref
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from .authentication import cool_off_seconds
from .refusals import error_answer

logger = logging.getLogger(__name__)

PAGE_COOKIE = "geoportal_pages"
PAGE_COOKIE_SALT = "geoportal.throttling.pages"
PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
# One round trip, atomic: count the request (KEYS[1]), start the window (ARGV[1] ms) on its
# first one, and, within the limit (ARGV[2]), read the keys its view declared (KEYS[2..]; a
# missing one is nil): a refused request makes Redis read no tile.
COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
local found = {}
if #KEYS > 1 and count <= tonumber(ARGV[2]) then
  found = redis.call('MGET', unpack(KEYS, 2))
end
return {count, ttl, found}
"""
# Views under these paths may declare the cache keys they read (reads_with_count); no other path
# is looked up, as resolving a path here costs as much again as Django's own resolving.
READS_UNDER = ("/tiles/",)


def parse_rate(rate):
    """'120/minute' -> (120, 60)."""
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower().rstrip("s")]


def client_address(request):
    """The client's address: see the module's docstring. Also django-axes' address."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    address = remote
    if trusted:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= trusted:
            address = hops[-trusted]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return remote or "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def page_browser(request):
    """The id in a valid page cookie (a browser that shows the portal's pages), or None."""
    value = request.COOKIES.get(PAGE_COOKIE)
    if not value:
        return None
    try:
        return signing.loads(value, salt=PAGE_COOKIE_SALT)
    except signing.BadSignature:
        return None


def set_page_cookie(request, response):
    """An HTML page gives the browser its page cookie, once."""
    if page_browser(request) is not None:
        return
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    response.set_cookie(
        PAGE_COOKIE, signing.dumps(secrets.token_hex(8), salt=PAGE_COOKIE_SALT),
        max_age=30 * 86400, httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )  # fmt: skip


# One redis-py client per cache backend (per thread, as Django's caches are), kept: Django makes a
# new one for each call, whose set-up was 5% of a cached tile's time.
_clients = weakref.WeakKeyDictionary()


def _redis():
    # The cache's own connection pool (django's RedisCache), with its key prefix.
    backend = cache._cache
    client = _clients.get(backend)
    if client is None:
        client = _clients[backend] = backend.get_client(write=True)
    return client


_script = None


def rate_of(scope, user=None):
    """The limit of a scope; an account named in API_RATE_USERS has its own in every scope."""
    if user is not None and user.is_authenticated:
        own = settings.API_RATE_USERS.get(user.get_username())
        if own:
            return own
    return settings.RATE_LIMITS[scope]


class Count(NamedTuple):
    allowed: bool
    retry_after: int  # seconds until the window ends
    # {key: value} of the cache keys read with the count (those found); None when Redis failed
    read: dict | None


def hit(scope, ident, rate, reads=()):
    """Count one request of `ident` in `scope` against `rate`, and read the cache keys `reads`
    (as cache.get_many would) in the same round trip: a Count."""
    global _script
    limit, period = parse_rate(rate)
    key = cache.make_key(f"rate:{scope}:{ident}")
    prefixed = {cache.make_key(name): name for name in reads}
    try:
        client = _redis()
        if _script is None:
            _script = client.register_script(COUNT_SCRIPT)
        count, ttl, values = _script(
            keys=[key, *prefixed], args=[period * 1000, limit], client=client
        )
    except Exception:  # noqa: BLE001 - Redis down: serve (the cache is down too) and say so
        logger.exception("rate limit not counted")
        return Count(True, 0, None)
    allowed, retry_after = int(count) <= limit, max(1, math.ceil(int(ttl) / 1000))
    if not allowed:
        return Count(False, retry_after, {})
    loads = cache._cache._serializer.loads  # as cache.get_many reads them
    pairs = zip(prefixed.values(), values, strict=True)
    read = {name: loads(value) for name, value in pairs if value is not None}
    return Count(True, retry_after, read)


def reads_with_count(keys_of):
    """Decorate a view (under READS_UNDER) whose first cache read may come with the rate limit's
    count: keys_of(**the URL's arguments) -> the cache keys it reads. The view finds them in
    request.counted_reads ({key: value} of those found); without that attribute (the count did
    not run or Redis failed) it reads them itself."""

    def decorate(view):
        view.reads_with_count = keys_of
        return view

    return decorate


def declared_reads(request):
    """The cache keys the view of `request` declared with reads_with_count, else ()."""
    if not request.path_info.startswith(READS_UNDER):
        return ()
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return ()
    keys_of = getattr(match.func, "reads_with_count", None)
    return keys_of(*match.args, **match.kwargs) if keys_of else ()


def scope_of(request, user=None):
    """(scope, ident) of a request; None for what is not limited (the admin, static files,
    health checks)."""
    path = request.path_info
    browser = page_browser(request)
    # Health checks are for the proxy and the orchestrator, asked often and cheap to answer.
    if path.startswith(("/admin/", settings.STATIC_URL)) or path in ("/healthz", "/readyz"):
        return None
    if "/download/" in path and path.startswith(_layer_prefixes()):
        scope = "downloads"
    elif browser is not None:
        # Counted by address: copying the cookie into a script buys only the pages' allowance.
        return "pages", f"address:{client_address(request)}"
    elif path.startswith("/api/"):
        scope = "api"
    elif path.startswith("/ogc/"):
        scope = "ogc"
    elif path.startswith("/tiles/"):
        scope = "tiles"
    else:
        scope = "pages"
    if user is not None and user.is_authenticated:
        return ("users" if scope == "api" else scope), f"user:{user.pk}"
    return scope, f"address:{client_address(request)}"


def _layer_prefixes():
    return tuple(f"/{code}/layers/" for code, _name in settings.LANGUAGES) + ("/layers/",)


def too_many_requests(request, retry_after):
    response = error_answer(
        request, 429, "throttled",
        _("Too many requests; try again in %(seconds)s seconds.") % {"seconds": retry_after},
    )  # fmt: skip
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    """Every request but the REST API's (ApiRateThrottle counts those) and the admin's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            user = getattr(request, "user", None)
            found = scope_of(request, user)
            if found is not None:
                reads = declared_reads(request)
                counted = hit(*found, rate_of(found[0], user), reads)
                if not counted.allowed:
                    return too_many_requests(request, counted.retry_after)
                if reads and counted.read is not None:
                    request.counted_reads = counted.read
        response = self.get_response(request)
        set_page_cookie(request, response)
        return response


class ApiRateThrottle(BaseThrottle):
    """The REST API's limit, counted once DRF knows the user (token or session)."""

    def allow_request(self, request, view):
        found = scope_of(request._request, request.user)
        if found is None:
            return True
        allowed, self.retry_after, _read = hit(*found, rate_of(found[0], request.user))
        return allowed

    def wait(self):
        return self.retry_after


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a locked-out admin login, like any other refusal of too many."""
    return too_many_requests(request, cool_off_seconds(request))
