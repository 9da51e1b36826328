"""Caps on concurrent exports made in web requests (downloads of a selection): at most
DOWNLOAD_EXPORTS_PER_CLIENT for one client and DOWNLOAD_EXPORTS_TOTAL for the whole portal,
counted in Redis so that every web process shares them.

A slot is a member of two sorted sets (the client's, everyone's) scored by when its lease ends;
taking one is a single Lua script, so two processes cannot both take the last. The export renews
its lease while it streams and gives the slot back when it ends, however it ends; a process killed
mid-export leaves a slot that lapses with its lease.
"""

import time
import uuid

import redis
from django.conf import settings

LEASE_SECONDS = 120
RENEW_SECONDS = 30

TAKE = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 0 end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[2], ARGV[3])
  redis.call('EXPIRE', key, ARGV[6])
end
return 1
"""

_client = None


def _redis():
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    return _client


def _key(name):
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:export-slots:{name}"


class Busy(Exception):
    """No slot free for this client or for the portal."""


class Slot:
    """One export's place under the caps; `release` is safe to call twice."""

    def __init__(self, client):
        self.keys = [_key("all"), _key(f"client:{client}")]
        self.token = uuid.uuid4().hex
        self.renewed = 0.0
        self.held = False

    def take(self):
        now = time.time()
        taken = _redis().eval(
            TAKE, 2, *self.keys, now, now + LEASE_SECONDS, self.token,
            settings.DOWNLOAD_EXPORTS_TOTAL, settings.DOWNLOAD_EXPORTS_PER_CLIENT,
            LEASE_SECONDS * 2,
        )  # fmt: skip
        if not taken:
            raise Busy
        self.held, self.renewed = True, now
        return self

    def renew(self):
        """Extend the lease (at most every RENEW_SECONDS) while the export goes on."""
        now = time.time()
        if self.held and now - self.renewed >= RENEW_SECONDS:
            pipe = _redis().pipeline()
            for key in self.keys:
                pipe.zadd(key, {self.token: now + LEASE_SECONDS}, xx=True)
            pipe.execute()
            self.renewed = now

    def release(self):
        if self.held:
            pipe = _redis().pipeline()
            for key in self.keys:
                pipe.zrem(key, self.token)
            pipe.execute()
            self.held = False


def in_use(client=None):
    """How many slots are held now: the client's, or everyone's."""
    key = _key(f"client:{client}" if client else "all")
    return _redis().zcount(key, time.time(), "+inf")


def client_of(request):
    """Whom the per-client cap counts: a signed-in user, else the address the request came from."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"address:{request.META.get('REMOTE_ADDR', '')}"
