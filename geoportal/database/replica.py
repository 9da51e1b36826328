"""Is the replica fit to serve reads? Reachable, and at most REPLICA_MAX_LAG_SECONDS behind the
primary. Checked with one small query at most every REPLICA_CHECK_SECONDS per process (the
router asks on every read), and marked down at once when a query on it fails."""

import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

REPLICA = "replica"

# Seconds the replica's replay is behind what it has received; 0 when it has replayed all it
# got (an idle primary sends nothing, and the last replay timestamp would look ever older).
LAG_SQL = """
    SELECT CASE
      WHEN NOT pg_is_in_recovery() THEN NULL
      WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
      ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
    END, pg_is_in_recovery()"""


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
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            lag, in_recovery = cursor.fetchone()
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
