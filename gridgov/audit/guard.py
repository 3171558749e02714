"""Lifting the database guard on the audit tables, for the retention purge and ``flush`` only.

Migration 0002 installs triggers that refuse UPDATE on the audit tables always and DELETE unless
the guard is lifted inside the deleting transaction. Lifting it is transaction-local (a
``set_config(..., true)`` on PostgreSQL, a row that never commits on SQLite), so no other
connection ever sees it.
"""

from contextlib import contextmanager

from django.db import connections


def _set(connection, on: bool) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('gridgov.audit_purge', %s, true)",
                           ["on" if on else "off"])
        elif connection.vendor == "sqlite":
            if on:
                cursor.execute("INSERT INTO audit_purge_permit (id) VALUES (1)")
            else:
                cursor.execute("DELETE FROM audit_purge_permit")


@contextmanager
def deletion_permitted(using: str = "default"):
    """Allow DELETE on the audit tables for the code inside the block.

    Must run inside ``transaction.atomic()``: if the block fails, the rollback also takes the
    permission back (so nothing is re-run on a broken PostgreSQL transaction).
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("deletion_permitted() must run inside transaction.atomic()")
    _set(connection, True)
    yield
    _set(connection, False)
