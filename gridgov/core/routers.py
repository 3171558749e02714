"""Reads of dashboards and exports from a read replica, when one is configured.

``DATABASE_REPLICA_URL`` adds the ``replica`` database (a streaming replica of PostgreSQL's
primary). Pages that only read, and read a lot, mark their work with ``reading_replica()``
(or ``ReplicaReadsMixin`` on a view): the statistics and assessment pages, the big screen,
the exports. Inside it, reads go to the replica; everything else, every write, and every
read inside a transaction on the primary (an audit record's chain head, a lock) stays on the
primary. Without a replica the router changes nothing.

A replica is a little behind the primary (usually well under a second): a dashboard may not
yet count the case reported a moment ago, which is why only these pages read there.
"""

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_reading = contextvars.ContextVar("gridgov_reading_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reading_replica():
    """Reads inside the block go to the replica (when configured and no transaction on the
    primary is open)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    """Send reads marked by ``reading_replica()`` to the replica; nothing else."""

    def db_for_read(self, model, **hints):
        if not _reading.get() or not replica_configured():
            return None
        if connections["default"].in_atomic_block:
            return "default"  # a read inside a write's transaction must see the write
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA  # a replica follows the primary's schema by replication


class ReplicaReadsMixin:
    """A view whose reads go to the replica (dashboards, exports)."""

    def dispatch(self, request, *args, **kwargs):
        with reading_replica():
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()  # a template reads lazily: render it inside the block
        return response
