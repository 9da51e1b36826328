"""Is the replica fit to serve reads? Reachable, and at most REPLICA_MAX_LAG_SECONDS behind the
primary (measured against the primary's WAL position, so that an idle pair reads as caught up).
Checked with one small query on each at most every REPLICA_CHECK_SECONDS per process (the router
asks on every read), and marked down at once when a query on it fails."""

import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"

# How far behind the primary the replica is, in seconds: 0 when it has replayed all the WAL the
# primary had written a moment before (its position is passed in); else the time since the last
# transaction it replayed (NULL while it has replayed none since it started: unknown).
LAG_SQL = """
    SELECT pg_is_in_recovery(),
           CASE WHEN pg_last_wal_replay_lsn() >= %s::pg_lsn THEN 0
                ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"""


@dataclass(frozen=True)
class ReplicaState:
    configured: bool
    reachable: bool = False
    lag_seconds: float | None = None
    error: str = ""
    checked_at: float = 0.0  # time.monotonic()

    @property
    def usable(self):
        return (
            self.reachable
            and self.lag_seconds is not None
            and self.lag_seconds <= settings.REPLICA_MAX_LAG_SECONDS
        )


_state = ReplicaState(configured=False)
_lock = threading.Lock()


def check():
    """Ask the replica now; the answer is what the router uses until the next check."""
    global _state
    if REPLICA not in connections.settings:
        _state = ReplicaState(configured=False, checked_at=time.monotonic())
        return _state
    connection = connections[REPLICA]
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            primary_position = cursor.fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL, [primary_position])
            in_recovery, lag = cursor.fetchone()
        state = ReplicaState(
            configured=True,
            reachable=True,
            lag_seconds=None if lag is None else float(lag),
            error="" if in_recovery else "not in recovery: this server is no replica",
            checked_at=time.monotonic(),
        )
    except DatabaseError as error:
        connection.close()
        state = ReplicaState(
            configured=True, error=type(error).__name__, checked_at=time.monotonic()
        )
    _state = state
    return state


def current(max_age=None):
    """The last state, checked again when older than `max_age` (REPLICA_CHECK_SECONDS)."""
    max_age = settings.REPLICA_CHECK_SECONDS if max_age is None else max_age
    if time.monotonic() - _state.checked_at > max_age and _lock.acquire(blocking=False):
        # One thread checks; the others go on with the last answer meanwhile.
        try:
            return check()
        finally:
            _lock.release()
    return _state


def usable():
    return current().usable


def mark_down(reason):
    """A query on the replica failed: use the primary until the next check."""
    global _state
    _state = ReplicaState(configured=True, error=reason, checked_at=time.monotonic())
