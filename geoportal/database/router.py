"""The database router: the primary ("default") for writes, transactions and migrations; the
replica ("replica", configured by DATABASE_REPLICA_URL) for other reads.

Read-your-writes: a write pins the current context (a request, or a worker or command process)
to the primary for READ_YOUR_WRITES_SECONDS, so that what was just saved is read back from where
it was written, not from a replica a few milliseconds behind. Requests carry the pin from one
to the next in a cookie (middleware.py).
"""

import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from . import replica

REPLICA = replica.REPLICA

# Until when (seconds since the epoch) reads in this context go to the primary. Each request runs
# in a context of its own (middleware.py); outside requests it lasts for the thread.
_primary_until = ContextVar("primary_until", default=0.0)


def pin_to_primary(until=None):
    """Reads go to the primary until `until` (default: READ_YOUR_WRITES_SECONDS from now)."""
    if until is None:
        until = time.time() + settings.READ_YOUR_WRITES_SECONDS
    if until > _primary_until.get():
        _primary_until.set(until)


def primary_pinned_until():
    return _primary_until.get()


def read_alias():
    """The alias a read would use now (the router's answer without a model)."""
    if REPLICA not in connections.settings:
        return DEFAULT_DB_ALIAS
    if time.time() < _primary_until.get():
        return DEFAULT_DB_ALIAS
    # Inside a transaction a read must see the transaction's own writes (and take part in its
    # snapshot and locks): the primary.
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA if replica.usable() else DEFAULT_DB_ALIAS


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        pin_to_primary()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: objects from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
