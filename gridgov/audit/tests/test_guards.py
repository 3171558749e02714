"""The database guards of migration 0004: chain heads only move forward, checkpoints and key
epochs are append-only, and on PostgreSQL only the purge role can lift the guard."""

import datetime as dt
import io
import os
import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

import gridgov.settings as project_settings
from gridgov.audit import guard
from gridgov.audit.actions import purge_expired
from gridgov.audit.anchor import anchor_closed_days
from gridgov.audit.apps import _install_purge_role
from gridgov.audit.guard import deletion_permitted
from gridgov.audit.models import AuditCheckpoint, AuditKeyEpoch, AuditRecord, ChainHead
from gridgov.audit.recorder import record
from gridgov.audit.seal import checkpoint_open_day

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


def _write(key, n=1):
    out = []
    for _ in range(n):
        with transaction.atomic():
            out.append(record("test.guard", object_type="test.thing", object_id=key))
    return out


def _sql(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, list(params))


# --- chain heads ----------------------------------------------------------------------------


def test_heads_move_forward_as_the_recorder_moves_them():
    _write("fwd", 3)
    head = ChainHead.objects.get(chain_key="test.thing:fwd")
    assert head.seq == 3
    _sql("UPDATE audit_chainhead SET seq = seq + 1 WHERE chain_key = %s", [head.chain_key])


@pytest.mark.parametrize("sql", [
    "UPDATE audit_chainhead SET seq = 1 WHERE chain_key = %s",
    "UPDATE audit_chainhead SET seq = 2 WHERE chain_key = %s",
    "UPDATE audit_chainhead SET last_hash = 'x' WHERE chain_key = %s",
    "UPDATE audit_chainhead SET chain_key = 'test.thing:else', seq = 9 WHERE chain_key = %s",
    "UPDATE audit_chainhead SET seq = 9, purged_seq = 1 WHERE chain_key = %s",
    "UPDATE audit_chainhead SET purged_seq = 1, purged_hash = 'x' WHERE chain_key = %s",
    "DELETE FROM audit_chainhead WHERE chain_key = %s",
], ids=["rewind", "same-seq", "rehash", "rename", "forward-with-purge-point",
        "purge-point-without-permit", "delete"])
def test_heads_cannot_be_rewound_rehashed_or_deleted(sql):
    _write("back", 2)
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(sql, ["test.thing:back"])
    head = ChainHead.objects.get(chain_key="test.thing:back")
    assert (head.seq, head.purged_seq) == (2, 0)


def test_under_the_permit_only_purge_points_move_and_only_forward(purge_role):
    _write("purge", 3)
    key = "test.thing:purge"
    with transaction.atomic(), deletion_permitted():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_chainhead SET purged_seq = 2, purged_hash = 'p' "
                           "WHERE chain_key = %s", [key])
    for sql in ("UPDATE audit_chainhead SET purged_seq = 1 WHERE chain_key = %s",
                "UPDATE audit_chainhead SET seq = 1 WHERE chain_key = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with deletion_permitted(), connection.cursor() as cursor:
                cursor.execute(sql, [key])
    assert ChainHead.objects.filter(chain_key=key, seq=3, purged_seq=2).exists()


# --- checkpoints and key epochs -------------------------------------------------------------


def test_checkpoints_are_append_only(clock, purge_role):
    clock.set(2026, 3, 5, 9)
    _write("cp")
    checkpoint = checkpoint_open_day(dt.datetime(2026, 3, 5, 10, tzinfo=TZ))
    for sql in ("UPDATE audit_auditcheckpoint SET record_count = 0 WHERE id = %s",
                "DELETE FROM audit_auditcheckpoint WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            _sql(sql, [checkpoint.pk])
    epoch = AuditKeyEpoch(key_id="a" * 16, retired_key_id="b" * 16, upto_id=1,
                          at=checkpoint.at, prev_hash="0" * 64, hash="1" * 64, old_hash="2" * 64)
    epoch.save()
    for sql in ("UPDATE audit_auditkeyepoch SET upto_id = 0 WHERE id = %s",
                "DELETE FROM audit_auditkeyepoch WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            _sql(sql, [epoch.pk])
    # The purge may delete them (their day's records go with them).
    with transaction.atomic(), deletion_permitted(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditcheckpoint WHERE id = %s", [checkpoint.pk])
    assert not AuditCheckpoint.objects.exists()


# --- the purge switch and its role ----------------------------------------------------------


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's")


def test_an_ordinary_session_cannot_lift_the_guard_on_postgresql(purge_role):
    """The attack of issue 9: any session ran set_config('gridgov.audit_purge', 'on', true)
    and deleted. Now the switch counts only for the purge role."""
    _postgres_only()
    (rec,) = _write("switch")
    for table, column, value in (("audit_auditrecord", "id", rec.pk),
                                 ("audit_chainhead", "chain_key", rec.chain_key)):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('gridgov.audit_purge', 'on', true)")
                cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [value])
    # An application role (not the purge role, not a superuser) is refused the same way.
    app = f"gridgov_test_app_{os.getpid()}"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {app} NOLOGIN")
            cursor.execute(f"GRANT SELECT, DELETE ON audit_auditrecord TO {app}")
            cursor.execute(f"SET LOCAL ROLE {app}")
            cursor.execute("SELECT set_config('gridgov.audit_purge', 'on', true)")
            cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [rec.pk])
    # The purge role itself may.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(purge_role)}")
        cursor.execute("SELECT set_config('gridgov.audit_purge', 'on', true)")
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [rec.pk])
        transaction.set_rollback(True)
    assert AuditRecord.objects.filter(pk=rec.pk).exists()


def test_without_a_purge_role_the_purge_refuses_on_postgresql(clock, settings):
    _postgres_only()
    settings.AUDIT_RETENTION_DAYS = 365
    clock.set(2025, 10, 16, 9)
    _write("old", 2)
    anchor_closed_days(until=dt.date(2025, 10, 17))
    now = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    with pytest.raises(ImproperlyConfigured, match="GRIDGOV_AUDIT_PURGE_DB_ROLE"):
        purge_expired(now=now)
    clock.set(2026, 11, 20, 9)
    with pytest.raises(CommandError, match="purge refused: .*GRIDGOV_AUDIT_PURGE_DB_ROLE"):
        call_command("audit", "purge", stdout=io.StringIO())
    assert AuditRecord.objects.filter(object_id="old").count() == 2


def test_the_guard_must_name_the_configured_role(purge_role, settings):
    _postgres_only()
    settings.GRIDGOV_AUDIT_PURGE_DB_ROLE = "someone_else"
    with pytest.raises(ImproperlyConfigured, match="run gridgov migrate"), \
            transaction.atomic(), deletion_permitted():
        pass
    # What gridgov migrate does afterwards (post_migrate).
    settings.GRIDGOV_AUDIT_PURGE_DB_ROLE = purge_role
    guard.install_purge_role(connection, "")
    _install_purge_role(sender=None, using="default")
    with connection.cursor() as cursor:
        cursor.execute("SELECT gridgov_audit_purge_role()")
        assert cursor.fetchone()[0] == purge_role


def test_a_session_that_cannot_become_the_purge_role_is_told_so(purge_role):
    _postgres_only()
    app = f"gridgov_test_app_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {app} NOLOGIN")
        cursor.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {app}")
    with pytest.raises(ImproperlyConfigured, match="cannot act as the purge role"), \
            transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL SESSION AUTHORIZATION {app}")
        with deletion_permitted():
            pass


def test_role_names_are_checked_before_they_reach_sql(settings):
    settings.GRIDGOV_AUDIT_PURGE_DB_ROLE = "x'; DROP TABLE audit_auditrecord; --"
    with pytest.raises(ImproperlyConfigured, match="not a role name"):
        guard.purge_role()


def test_the_purge_gets_its_own_database_alias(monkeypatch, tmp_path):
    from django.conf import settings

    assert guard.purge_alias() == "default"
    monkeypatch.setenv("GRIDGOV_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRIDGOV_AUDIT_PURGE_DATABASE_URL",
                       "postgres://gridgov_purge:pw@db:5432/gridgov")
    namespace = runpy.run_path(project_settings.__file__)
    alias = namespace["DATABASES"]["audit_purge"]
    assert (alias["USER"], alias["NAME"], alias["TEST"]) == (
        "gridgov_purge", "gridgov", {"MIRROR": "default"})
    monkeypatch.setitem(settings.DATABASES, "audit_purge", alias)
    assert guard.purge_alias() == "audit_purge"


def test_on_sqlite_the_permit_row_is_only_a_convenience():
    """Whoever can write to the SQLite file can insert the permit row (or drop the triggers):
    the guard there stops mistakes, the chains and the anchor log catch tampering."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's permit table")
    (rec,) = _write("sqlite")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_purge_permit (id) VALUES (1)")
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [rec.pk])
        cursor.execute("DELETE FROM audit_purge_permit")
        transaction.set_rollback(True)
    assert AuditRecord.objects.filter(pk=rec.pk).exists()
