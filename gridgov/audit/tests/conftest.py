"""Fixtures of the audit tests beyond the shared ones in gridgov/conftest.py (the demo
district, its users and signed-in clients): a settable clock for new audit records, an anchor
log of each test's own, and (on PostgreSQL) the purge database role."""

import datetime as dt
import os

import pytest
from django.db import connection

from gridgov.audit import recorder
from gridgov.audit.guard import install_purge_role


@pytest.fixture
def clock(monkeypatch):
    """Set the time new audit records get: ``clock.set(2026, 3, 1, 10)`` (Asia/Shanghai)."""

    class Clock:
        tz = dt.timezone(dt.timedelta(hours=8))

        def set(self, *args):
            value = args[0] if isinstance(args[0], dt.datetime) else dt.datetime(
                *args, tzinfo=self.tz)
            monkeypatch.setattr(recorder, "_now", lambda: value.astimezone(dt.UTC))
            return value

    return Clock()


@pytest.fixture(autouse=True)
def anchor_log_file(tmp_path, settings):
    """Each test's seals are copied to a file of its own (the database rolls back, a shared
    file would not)."""
    path = tmp_path / "audit-anchors.jsonl"
    settings.GRIDGOV_AUDIT_ANCHOR_LOG = str(path)
    return path


@pytest.fixture
def purge_role(settings):
    """On PostgreSQL, the purge database role the triggers honour (created inside the test's
    transaction, so it goes with the rollback); nothing to do on SQLite."""
    if connection.vendor != "postgresql":
        return None
    role = f"gridgov_test_purge_{os.getpid()}"
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {quoted} NOLOGIN")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
                       f"TO {quoted}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
    settings.GRIDGOV_AUDIT_PURGE_DB_ROLE = role
    install_purge_role(connection, role)
    return role
