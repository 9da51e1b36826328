"""Rate limits that hold: a forged X-Forwarded-For changes nothing, counts are atomic (one Redis
operation per request), every scope answers 429 with Retry-After, the portal's own pages have
an allowance of their own, and logins (passwords, tokens) lock per account and per address."""

import threading
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from geoportal import throttling

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def rates(settings):
    """Small limits to reach in a test: rates(api="3/minute", ...)."""

    def set_rates(**rates):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}

    return set_rates


def statuses(client, url, count, **headers):
    return [client.get(url, **headers).status_code for _ in range(count)]


def test_a_forged_x_forwarded_for_does_not_reset_the_limit(client, demo, rates):
    rates(api="3/minute")
    codes = [
        client.get("/api/v1/regions/", HTTP_X_FORWARDED_FOR=str(uuid.uuid4())).status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    refused = client.get("/api/v1/regions/", HTTP_X_FORWARDED_FOR="10.9.8.7")
    assert refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60


def test_behind_a_trusted_proxy_the_address_it_saw_counts(client, demo, rates, settings):
    rates(api="2/minute")
    settings.TRUSTED_PROXY_COUNT = 1

    def get(chain):
        return client.get("/api/v1/regions/", HTTP_X_FORWARDED_FOR=chain).status_code

    # What the client wrote itself (left of the proxy's entry) is never read.
    assert [get(f"{i}.1.1.1, 203.0.113.5") for i in range(3)] == [200, 200, 429]
    assert get("203.0.113.6") == 200  # another client behind the same proxy


@pytest.mark.parametrize(
    ("scope", "url"),
    [
        ("ogc", "/ogc/collections"),
        ("tiles", "/tiles/minsk-points/10/596/331.pbf"),
        ("downloads", "/layers/minsk-points/download/geojson/"),
        ("pages", "/layers/"),
    ],
)
def test_every_scope_answers_429_with_retry_after(client, minsk_points, rates, scope, url):
    rates(**{scope: "2/minute"})
    codes = statuses(client, url, 3)
    assert codes[:2] != [429, 429] and codes[2] == 429
    response = client.get(url)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_downloads_are_limited_tighter_than_the_apis(settings):
    limits = {scope: throttling.parse_rate(rate) for scope, rate in settings.RATE_LIMITS.items()}
    per_minute = {scope: count * 60 / period for scope, (count, period) in limits.items()}
    assert per_minute["downloads"] < min(per_minute["api"], per_minute["ogc"], per_minute["tiles"])


def test_counts_are_atomic_under_concurrency(rates):
    rates(api="10/minute")
    results = []
    barrier = threading.Barrier(40)

    def hit():
        barrier.wait()
        results.append(throttling.hit("api", "address:concurrent", throttling.rate_of("api"))[0])

    threads = [threading.Thread(target=hit) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 10


def test_one_redis_operation_per_request(client, demo):
    redis = cache._cache.get_client(write=True)
    client.get("/api/v1/regions/")  # the script is loaded once per process

    def calls():
        stats = redis.info("commandstats")
        return {k: v["calls"] for k, v in stats.items() if k != "cmdstat_info"}

    for url in ("/api/v1/regions/", "/ogc/collections/regions/items", "/cities/"):
        before = calls()
        assert client.get(url).status_code == 200
        after = calls()
        used = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
        # One EVALSHA round trip; the commands it runs inside Redis are counted too.
        inside = {"cmdstat_incr", "cmdstat_pttl", "cmdstat_pexpire"}
        assert {k: n for k, n in used.items() if k not in inside} == {"cmdstat_evalsha": 1}, url


def test_a_cached_tile_is_one_redis_round_trip(client, minsk_points, request):
    """The rate limit's count reads the layer's record and the tile too: one EVALSHA (its MGET
    runs inside Redis) is all a cached tile sends to Redis."""
    redis = cache._cache.get_client(write=True)
    url = "/tiles/minsk-points/14/9441/5270.pbf"
    first = client.get(url)  # builds and caches the record and the tile

    def calls():
        stats = redis.info("commandstats")
        return {k: v["calls"] for k, v in stats.items() if k != "cmdstat_info"}

    before = calls()
    sent = request.getfixturevalue("redis_round_trips")
    again = client.get(url)
    sent_by_the_request = list(sent)
    after = calls()
    assert first.status_code == 200 and first.content
    assert again.status_code == 200 and again.content == first.content
    assert len(sent_by_the_request) == 1, sent_by_the_request
    used = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    inside = {"cmdstat_incr", "cmdstat_pttl", "cmdstat_pexpire", "cmdstat_mget"}
    assert {k: n for k, n in used.items() if k not in inside} == {"cmdstat_evalsha": 1}


def test_a_count_reads_the_keys_it_is_given_as_the_cache_would(rates):
    rates(tiles="2/minute")
    cache.set_many({"read-a": ("version", b"\x00bytes"), "read-b": {"x": 1}})
    counted = throttling.hit("tiles", "address:reads", throttling.rate_of("tiles"),
                             ["read-a", "read-missing", "read-b"])  # fmt: skip
    assert counted.allowed
    assert counted.read == cache.get_many(["read-a", "read-missing", "read-b"])
    assert counted.read == {"read-a": ("version", b"\x00bytes"), "read-b": {"x": 1}}
    assert throttling.hit("tiles", "address:reads", "2/minute", ["read-a"]).allowed
    redis = cache._cache.get_client(write=True)
    reads_before = redis.info("commandstats").get("cmdstat_mget", {}).get("calls", 0)
    refused = throttling.hit("tiles", "address:reads", "2/minute", ["read-a"])
    assert not refused.allowed and refused.retry_after > 0
    # Over the limit nothing is read: a refused client cannot make Redis send tiles.
    assert refused.read == {}
    assert redis.info("commandstats")["cmdstat_mget"]["calls"] == reads_before


def test_a_tile_is_served_when_the_count_fails(client, minsk_points, monkeypatch, caplog):
    """Redis refusing the count (the script): the request is served, and the tile view reads the
    cache itself, as it would without the count's reads."""
    url = "/tiles/minsk-points/14/9441/5270.pbf"
    first = client.get(url)

    def down():
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(throttling, "_redis", down)
    again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert "rate limit not counted" in caplog.text


def test_the_portals_pages_have_their_own_allowance(client, demo, rates):
    """The map pages fetch /api/v1/ and /layers/*.json themselves: a browser that shows the
    portal's pages counts them in its page allowance, never against the public API limit."""
    rates(api="2/minute", pages="100/minute")
    page = client.get("/")
    assert throttling.PAGE_COOKIE in page.cookies
    assert statuses(client, "/api/v1/cities/", 10) == [200] * 10
    assert statuses(client, "/layers/map.json", 5) == [200] * 5
    # A script without the page cookie, or with a forged one, has the API limit.
    client.cookies.clear()
    assert statuses(client, "/api/v1/cities/", 3) == [200, 200, 429]
    client.cookies[throttling.PAGE_COOKIE] = "forged"
    assert client.get("/api/v1/cities/").status_code == 429


@pytest.fixture
def planner(planner_of):
    return planner_of("brest")


def login(client, username, password, address="192.0.2.1"):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password},
        REMOTE_ADDR=address,
    )  # fmt: skip


def test_wrong_admin_passwords_lock_the_account_and_the_address(client, planner, settings):
    codes = [login(client, planner.username, "wrong").status_code
             for _ in range(settings.AXES_FAILURE_LIMIT)]  # fmt: skip
    assert codes == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    # Now even the right password is refused, from this address...
    locked = login(client, planner.username, "planner-pass-123")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    # ...and for this account from anywhere else.
    assert login(client, planner.username, "planner-pass-123", "198.51.100.7").status_code == 429


def test_wrong_tokens_lock_the_address(client, planner, settings):
    codes = statuses(client, "/api/v1/layers/", settings.AXES_FAILURE_LIMIT + 1,
                     HTTP_AUTHORIZATION="Token wrong")  # fmt: skip
    assert codes == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [429, 429]
    right = {"HTTP_AUTHORIZATION": f"Token {planner.token}"}
    assert client.get("/api/v1/layers/", **right).status_code == 429
    assert client.get("/ogc/collections", **right).status_code == 429
    other = client.get("/api/v1/layers/", REMOTE_ADDR="198.51.100.9", **right)
    assert other.status_code == 200
