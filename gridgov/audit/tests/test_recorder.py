"""record(): one chain per object, the same transaction as the change, and no way to change or
delete a record, neither through the ORM nor (triggers) through raw SQL."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from gridgov.audit.chain import GENESIS, record_hash
from gridgov.audit.guard import deletion_permitted
from gridgov.audit.models import (
    AuditAnchor,
    AuditPurgeMark,
    AuditRecord,
    ChainHead,
    ImmutableError,
)
from gridgov.audit.recorder import diff, record
from gridgov.audit.verify import verify_all
from gridgov.core.context import request_context

pytestmark = pytest.mark.django_db


def _write(key, n=1, **kwargs):
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(record("test.change", object_type="test.thing", object_id=key,
                              object_repr=f"thing {key}", before={"n": i}, after={"n": i + 1},
                              **kwargs))
    return out


def test_record_fields_and_links(audit_admin):
    with request_context("req-123", "10.1.2.3"):
        first, second = _write("a", 2, actor=audit_admin)
    assert first.chain_key == "test.thing:a"
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert second.hash == record_hash(second, first.hash)
    assert first.changes == {"n": [0, 1]}
    assert first.request_id == "req-123" and first.client_ip == "10.1.2.3"
    assert first.actor_id == audit_admin.pk
    assert first.actor_name == "auditadmin"
    assert first.role == "audit_admin"
    head = ChainHead.objects.get(chain_key="test.thing:a")
    assert (head.seq, head.last_hash) == (2, second.hash)


def test_system_actor_is_recorded_as_system():
    (rec,) = _write("sys")
    assert rec.actor_id is None
    assert (rec.actor_name, rec.role) == ("system", "system")


def test_two_objects_have_independent_chains_and_heads():
    # The design that keeps writers apart: each object has its own ChainHead row, so a writer
    # locks only its object's head (SELECT ... FOR UPDATE on one row), never a global one.
    a1, a2, a3 = _write("a", 3)
    (b1,) = _write("b")
    heads = {h.chain_key: h for h in ChainHead.objects.filter(chain_key__startswith="test.")}
    assert set(heads) == {"test.thing:a", "test.thing:b"}
    assert heads["test.thing:a"].seq == 3 and heads["test.thing:b"].seq == 1
    assert b1.seq == 1 and b1.prev_hash == GENESIS
    assert heads["test.thing:b"].last_hash == b1.hash
    # Writing to b did not touch a's head.
    assert heads["test.thing:a"].last_hash == a3.hash


def test_record_rolls_back_with_the_action():
    with pytest.raises(RuntimeError), transaction.atomic():
        _write("gone")
        raise RuntimeError("the action failed")
    assert not AuditRecord.objects.filter(object_id="gone").exists()
    assert not ChainHead.objects.filter(chain_key="test.thing:gone").exists()


def test_diff_keeps_only_changed_fields():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {"b": [2, 3], "c": [None, 4]}
    assert diff(None, {"a": 1}) == {"a": [None, 1]}


def test_values_hash_the_same_after_the_database_round_trip():
    with transaction.atomic():
        record("test.floats", object_type="test.thing", object_id="f",
               changes={"big": 1e20, "two": 2.0, "small": 1.2e-05, "text": "网格 \"x\"",
                        "nested": {"list": [1, 2.5, None, True]}})
    assert verify_all().ok


def test_orm_refuses_to_change_or_delete_records():
    (rec,) = _write("orm")
    rec.actor_name = "someone else"
    with pytest.raises(ImmutableError):
        rec.save()
    with pytest.raises(ImmutableError):
        rec.delete()
    with pytest.raises(ImmutableError):
        AuditRecord.objects.filter(pk=rec.pk).update(actor_name="x")
    with pytest.raises(ImmutableError):
        AuditRecord.objects.filter(pk=rec.pk).delete()
    with pytest.raises(ImmutableError):
        AuditAnchor.objects.all().delete()
    with pytest.raises(ImmutableError):
        AuditPurgeMark.objects.all().update(records_purged=0)
    assert AuditRecord.objects.get(pk=rec.pk).actor_name == "system"


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def test_database_refuses_raw_update_and_delete():
    (rec,) = _write("raw")
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE audit_auditrecord SET actor_name = %s WHERE id = %s", ["x", rec.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM audit_auditrecord WHERE id = %s", [rec.pk])
    assert AuditRecord.objects.filter(pk=rec.pk, actor_name="system").exists()


def test_database_refuses_update_even_while_purging(purge_role):
    (rec,) = _write("raw2")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with deletion_permitted(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditrecord SET remark = 'x' WHERE id = %s", [rec.pk])


def test_purge_permission_is_scoped_to_its_block(purge_role):
    a, b = _write("perm", 2)
    with transaction.atomic():
        with deletion_permitted(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [a.pk])
        # Lifted only inside the block, even in the same transaction.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [b.pk])
    assert list(AuditRecord.objects.filter(object_id="perm").values_list("pk", flat=True)) == [
        b.pk]


def test_flush_still_empties_the_database():
    _write("flush", 2)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditRecord.objects.count() == 0


def test_writers_on_different_objects_do_not_wait_for_each_other():
    """On PostgreSQL (row locks), a second connection writes another object's record while
    this one holds its object's chain head, and only waits when it touches the same object."""
    import threading

    from django.db import OperationalError

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one database-wide writer lock; the design test above covers it")
    _write("held")  # this test's transaction now holds the head of test.thing:held
    outcome = {}

    def other_writer():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '3s'")
                _write("free")
                outcome["other object"] = "written"
                try:
                    with transaction.atomic():
                        _write("held")
                    outcome["same object"] = "written"
                except OperationalError:
                    outcome["same object"] = "waited for the lock"
                transaction.set_rollback(True)  # leave nothing behind
        finally:
            connection.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    thread.join(60)
    assert outcome == {"other object": "written", "same object": "waited for the lock"}
