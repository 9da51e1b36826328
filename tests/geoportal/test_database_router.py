"""The database router against two real PostgreSQL servers: the test primary and its streaming
replica (scripts/services.sh starts both for `make test`)."""

import time

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.expressions import RawSQL
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from geoportal.database import replica, router
from geoportal.database.middleware import _cookie_until

pytestmark = [
    pytest.mark.usefixtures("replica_database"),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


@pytest.fixture(autouse=True)
def fresh_state(settings):
    """No pin from an earlier test; the replica checked again at once."""
    settings.REPLICA_CHECK_SECONDS = 0
    router._primary_until.set(0.0)
    yield
    router._primary_until.set(0.0)


def served_by_replica(queryset):
    """Whether this queryset's rows come from a server in recovery (the replica)."""
    return queryset.annotate(in_recovery=RawSQL("pg_is_in_recovery()", [])).values_list(
        "in_recovery", flat=True
    )[0]


def on_replica(name, seconds=30):
    """Wait until the group `name` has streamed to the replica and it has caught up (on a busy
    machine, after the suite's bulk imports, the replica may replay for a while)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if Group.objects.using("replica").filter(name=name).exists():
            return caught_up(deadline - time.monotonic())
        time.sleep(0.05)
    return False


def caught_up(seconds=30):
    """Wait until the router would read from the replica (reachable, lag under the limit)."""
    deadline = time.monotonic() + seconds
    while not replica.check().usable:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_the_replica_is_a_streaming_copy_of_the_primary():
    assert caught_up(), replica.current()
    state = replica.current()
    assert state.configured and state.reachable and state.usable, state
    assert 0 <= state.lag_seconds <= django_settings.REPLICA_MAX_LAG_SECONDS
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (False,)


def test_writes_go_to_the_primary_and_later_reads_to_the_replica(settings):
    settings.READ_YOUR_WRITES_SECONDS = 1
    Group.objects.create(name="written")
    # Just written: this context reads its own writes from the primary.
    assert router.read_alias() == DEFAULT_DB_ALIAS
    assert served_by_replica(Group.objects.filter(name="written")) is False
    assert on_replica("written")
    time.sleep(1.1)
    assert caught_up(), replica.current()
    assert router.read_alias() == "replica"
    assert served_by_replica(Group.objects.filter(name="written")) is True


def test_reads_inside_a_transaction_use_the_primary():
    Group.objects.create(name="before")
    assert on_replica("before")
    router._primary_until.set(0.0)
    with transaction.atomic():
        assert served_by_replica(Group.objects.filter(name="before")) is False
        Group.objects.create(name="inside")
        assert Group.objects.filter(name="inside").exists()
    router._primary_until.set(0.0)
    assert served_by_replica(Group.objects.filter(name="before")) is True


def test_a_client_that_wrote_reads_from_the_primary_for_a_while(client, settings):
    settings.READ_YOUR_WRITES_SECONDS = 2

    def regions_read_on(alias):
        """Whether the next GET of the regions reads them from `alias` (not the other)."""
        with (
            CaptureQueriesContext(connections["replica"]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            assert client.get("/api/v1/regions/").status_code == 200
        reads = {
            name: any("cities_region" in query["sql"] for query in queries)
            for name, queries in (("replica", on_replica), ("default", on_primary))
        }
        return reads == {alias: True, ("default" if alias == "replica" else "replica"): False}

    assert caught_up(), replica.current()
    # A read: served by the replica, no cookie.
    response = client.get("/api/v1/regions/")
    assert settings.READ_YOUR_WRITES_COOKIE not in response.cookies
    assert regions_read_on("replica")
    # A write (any unsafe method) sets the cookie that pins the client to the primary...
    response = client.post("/i18n/setlang/", {"language": "en"})
    cookie = response.cookies[settings.READ_YOUR_WRITES_COOKIE]
    assert cookie["max-age"] == 2 and cookie["httponly"]
    assert regions_read_on("default")
    # ... until it runs out.
    time.sleep(2.1)
    assert caught_up(), replica.current()
    assert regions_read_on("replica")


def test_a_forged_pin_is_capped_at_the_setting(settings):
    settings.READ_YOUR_WRITES_SECONDS = 10
    cookie = settings.READ_YOUR_WRITES_COOKIE
    request = RequestFactory(headers={"Cookie": f"{cookie}={time.time() + 10**9}"}).get("/")
    assert _cookie_until(request, 100.0) == 110.0
    request = RequestFactory(headers={"Cookie": f"{cookie}=nan-ish"}).get("/")
    assert _cookie_until(request, 100.0) == 0.0


@pytest.fixture
def streamed_group():
    """A group written on the primary and streamed to the replica, without a pin."""
    Group.objects.create(name="streamed")
    assert on_replica("streamed")
    router._primary_until.set(0.0)
    return Group.objects.filter(name="streamed")


def test_a_lagging_replica_is_not_read(settings, streamed_group):
    assert served_by_replica(streamed_group) is True
    settings.REPLICA_MAX_LAG_SECONDS = -1  # any lag is too much
    assert router.read_alias() == DEFAULT_DB_ALIAS
    assert served_by_replica(streamed_group) is False


def test_an_unreachable_replica_sends_reads_to_the_primary(replica_database, client):
    assert caught_up(), replica.current()
    assert router.read_alias() == "replica"
    live_port = replica_database["PORT"]
    connections["replica"].close()
    replica_database["PORT"] = 1  # nothing listens there: as if the replica had stopped
    try:
        assert router.read_alias() == DEFAULT_DB_ALIAS
        assert replica.current().reachable is False
        assert client.get("/api/v1/regions/").status_code == 200
    finally:
        connections["replica"].close()
        replica_database["PORT"] = live_port


def test_a_get_whose_replica_query_fails_is_answered_from_the_primary(
    replica_database, client, settings
):
    assert caught_up(), replica.current()
    settings.REPLICA_CHECK_SECONDS = 60  # the router trusts the replica for the next minute
    live_port = replica_database["PORT"]
    connections["replica"].close()
    replica_database["PORT"] = 1  # and it goes away before the next query
    try:
        with CaptureQueriesContext(connections["default"]) as on_primary_queries:
            response = client.get("/api/v1/regions/")
        assert response.status_code == 200
        assert any("cities_region" in query["sql"] for query in on_primary_queries)
        assert replica.current().usable is False
    finally:
        connections["replica"].close()
        replica_database["PORT"] = live_port


def test_migrations_run_on_the_primary_only():
    routing = router.PrimaryReplicaRouter()
    assert routing.allow_migrate(DEFAULT_DB_ALIAS, "layers") is True
    assert routing.allow_migrate("replica", "layers") is False


def test_without_a_replica_everything_uses_the_primary(monkeypatch, streamed_group):
    assert served_by_replica(streamed_group) is True
    monkeypatch.delitem(connections.settings, "replica")
    assert router.read_alias() == DEFAULT_DB_ALIAS
    assert served_by_replica(streamed_group) is False
