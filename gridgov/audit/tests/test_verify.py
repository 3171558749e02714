"""verify_all(): each kind of tampering, done with raw SQL as an attacker with the database
owner's rights would, is caught and reported as the first broken link."""

import datetime as dt
import json

import pytest
from django.db import DatabaseError, connection, transaction

from gridgov.audit import verify
from gridgov.audit.anchor import anchor_closed_days
from gridgov.audit.models import AuditAnchor, AuditRecord, ChainHead
from gridgov.audit.recorder import record
from gridgov.audit.tests.tamper import db_datetime, json_param, tamper
from gridgov.audit.verify import verify_all

pytestmark = pytest.mark.django_db

DAY1 = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 3, 5)


def _write(key, n=1, object_type="test.thing"):
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(record("test.change", object_type=object_type, object_id=key,
                              before={"n": i}, after={"n": i + 1}, remark=f"step {i}"))
    return out


@pytest.fixture
def log(clock):
    """Three chains written on 1 March (then sealed) and two more records on 5 March."""
    clock.set(2026, 3, 1, 9)
    a = _write("a", 4)
    b = _write("b", 3)
    c = _write("c", 2)
    anchor_closed_days(until=TODAY)
    clock.set(2026, 3, 5, 9)
    a += _write("a", 2)
    d = _write("d", 2)
    return {"a": a, "b": b, "c": c, "d": d}


def test_untouched_log_verifies(log):
    result = verify_all()
    assert result.ok, result.broken
    records = AuditRecord.objects.count()
    chains = AuditRecord.objects.values("chain_key").distinct().count()
    assert (result.records, result.chains, result.anchors) == (records, chains, 1)
    assert result.summary() == f"OK: {records} records, {chains} chains, 1 anchors"
    assert result.problems == 0


def test_small_chunks_give_the_same_answer(log):
    assert verify_all(chunk_size=2).summary() == verify_all().summary()


@pytest.mark.parametrize("field,value", [
    ("actor_name", "someone else"),
    ("role", "sys_admin"),
    ("action", "test.other"),
    ("object_type", "test.other"),
    ("object_id", "zz"),
    ("object_repr", "forged"),
    ("remark", "changed"),
    ("request_id", "forged-request"),
    ("client_ip", "6.6.6.6"),
    ("chain_key", "test.thing:zz"),
])
def test_edited_text_field_is_caught(log, field, value):
    target = log["b"][1]
    tamper(f"UPDATE audit_auditrecord SET {field} = %s WHERE id = %s", [value, target.pk])
    result = verify_all()
    assert not result.ok
    if field == "chain_key":
        # Moved to a chain of its own: that chain has no head, and b now has a gap.
        assert result.broken.message in (verify.ORPHAN, verify.GAP)
    else:
        assert result.broken.message == verify.EDITED
        assert result.broken.record_id == target.pk
        assert (result.broken.chain_key, result.broken.seq) == ("test.thing:b", 2)


def test_edited_changes_are_caught(log):
    target = log["a"][2]
    tamper(f"UPDATE audit_auditrecord SET changes = {json_param()} WHERE id = %s",
           [json.dumps({"n": [2, 999]}), target.pk])
    broken = verify_all().broken
    assert (broken.message, broken.record_id) == (verify.EDITED, target.pk)


def test_edited_time_and_actor_are_caught(log):
    target = log["c"][0]
    tamper("UPDATE audit_auditrecord SET at = %s WHERE id = %s",
           [db_datetime(target.at + dt.timedelta(seconds=1)), target.pk])
    broken = verify_all().broken
    assert (broken.message, broken.record_id) == (verify.EDITED, target.pk)


def test_edited_actor_id_is_caught(log, audit_admin):
    target = log["d"][0]
    tamper("UPDATE audit_auditrecord SET actor_id = %s WHERE id = %s", [audit_admin.pk, target.pk])
    broken = verify_all().broken
    assert (broken.message, broken.record_id) == (verify.EDITED, target.pk)


def test_recomputed_hash_without_the_key_breaks_the_next_link(log):
    # The attacker edits a record and stores a plain SHA-256 as its hash: the record's own
    # HMAC fails first.
    target = log["a"][1]
    tamper("UPDATE audit_auditrecord SET remark = 'x', hash = %s WHERE id = %s",
           ["f" * 64, target.pk])
    broken = verify_all().broken
    assert (broken.message, broken.record_id) == (verify.EDITED, target.pk)


def test_deleted_middle_record_is_a_sequence_gap(log):
    victim, follower = log["a"][1], log["a"][2]
    tamper("DELETE FROM audit_auditrecord WHERE id = %s", [victim.pk])
    result = verify_all()
    assert result.broken.message == verify.GAP
    assert (result.broken.record_id, result.broken.seq) == (follower.pk, 3)
    # Its day is sealed, so the anchor disagrees too (counted, not first).
    assert result.problems == 2


def test_deleted_last_record_of_an_open_day_breaks_the_head(log):
    last = log["d"][-1]
    tamper("DELETE FROM audit_auditrecord WHERE id = %s", [last.pk])
    broken = verify_all().broken
    assert broken.message == verify.HEAD
    assert broken.chain_key == "test.thing:d"
    assert broken.record_id == log["d"][0].pk
    assert "head is at seq 2" in str(broken)


def test_deleted_last_record_with_head_rewound_is_caught_by_the_anchor(log):
    # On a sealed day the attacker also rewinds the chain head: only the anchor can tell.
    victim, previous = log["c"][1], log["c"][0]
    tamper("DELETE FROM audit_auditrecord WHERE id = %s", [victim.pk])
    # The head guard refuses to move a head back ...
    with pytest.raises(DatabaseError, match="chain heads only move forward"), \
            transaction.atomic():
        ChainHead.objects.filter(chain_key="test.thing:c").update(seq=1, last_hash=previous.hash)
    # ... so the attacker switches the triggers off first.
    tamper("UPDATE audit_chainhead SET seq = 1, last_hash = %s WHERE chain_key = %s",
           [previous.hash, "test.thing:c"])
    result = verify_all()
    assert result.broken.message == verify.ANCHOR.format(day="2026-03-01")
    assert result.broken.day == DAY1
    assert "sealed 9 records, found 8" in str(result.broken)


def test_whole_chain_deleted_on_a_sealed_day(log):
    tamper("DELETE FROM audit_auditrecord WHERE chain_key = %s", ["test.thing:b"])
    broken = verify_all().broken
    assert broken.message == verify.HEAD
    assert broken.chain_key == "test.thing:b" and "no records left" in broken.detail


def test_whole_chain_and_its_head_deleted_on_a_sealed_day(log):
    tamper("DELETE FROM audit_auditrecord WHERE chain_key = %s", ["test.thing:b"])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ChainHead.objects.filter(chain_key="test.thing:b").delete()
    tamper("DELETE FROM audit_chainhead WHERE chain_key = %s", ["test.thing:b"])
    broken = verify_all().broken
    assert broken.message == "anchor count/digest mismatch for day 2026-03-01"
    assert str(broken) == ("anchor count/digest mismatch for day 2026-03-01 "
                           "(sealed 9 records, found 6)")


def _copy_as(source, **overrides):
    """Insert a forged record: a copy of ``source`` with some columns replaced."""
    columns = ["chain_key", "seq", "at", "actor_id", "actor_name", "role", "action",
               "object_type", "object_id", "object_repr", "changes", "remark", "request_id",
               "client_ip", "prev_hash", "hash"]
    values = {name: getattr(source, name) for name in columns}
    values["at"] = db_datetime(values["at"])
    values["changes"] = json.dumps(values["changes"])
    values.update(overrides)
    placeholders = ", ".join(json_param() if c == "changes" else "%s" for c in columns)
    tamper(f"INSERT INTO audit_auditrecord ({', '.join(columns)}) VALUES ({placeholders})",
           [values[c] for c in columns])
    return AuditRecord.objects.order_by("-id").first()


def test_inserted_forged_record_is_caught(log):
    # A copy of a's second record, re-numbered to follow a's last one.
    forged = _copy_as(log["a"][1], seq=7, remark="forged", hash="e" * 64)
    broken = verify_all().broken
    assert broken.message == verify.PREV
    assert (broken.record_id, broken.seq) == (forged.pk, 7)


def test_inserted_record_with_the_right_prev_hash_runs_past_the_head(log):
    last = log["a"][-1]
    forged = _copy_as(last, seq=7, prev_hash=last.hash, remark="forged", hash="e" * 64)
    broken = verify_all().broken
    assert (broken.message, broken.record_id) == (verify.BEYOND, forged.pk)


def test_inserted_record_with_head_moved_fails_its_hmac(log):
    last = log["a"][-1]
    forged = _copy_as(last, seq=7, prev_hash=last.hash, remark="forged", hash="e" * 64)
    ChainHead.objects.filter(chain_key="test.thing:a").update(seq=7, last_hash="e" * 64)
    broken = verify_all().broken
    assert (broken.message, broken.record_id) == (verify.EDITED, forged.pk)


def test_inserted_chain_without_head_is_caught(log):
    forged = _copy_as(log["d"][0], chain_key="test.thing:new", object_id="new",
                      hash="d" * 64)
    broken = verify_all().broken
    assert (broken.message, broken.record_id) == (verify.ORPHAN, forged.pk)


def test_reordered_records_are_caught(log):
    first, second = log["b"][0], log["b"][1]
    # Swap their places in the chain (through a free number: seq is unique per chain).
    tamper("UPDATE audit_auditrecord SET seq = 99 WHERE id = %s", [first.pk])
    tamper("UPDATE audit_auditrecord SET seq = 1 WHERE id = %s", [second.pk])
    tamper("UPDATE audit_auditrecord SET seq = 2 WHERE id = %s", [first.pk])
    result = verify_all()
    # Both moved records no longer link; the first is the lower id.
    assert result.broken.message == verify.PREV
    assert (result.broken.record_id, result.broken.seq) == (first.pk, 2)
    assert result.problems >= 2


def test_first_broken_link_is_the_lowest_record(log):
    tamper("UPDATE audit_auditrecord SET remark = 'x' WHERE id = %s", [log["d"][1].pk])
    tamper("UPDATE audit_auditrecord SET remark = 'x' WHERE id = %s", [log["b"][2].pk])
    result = verify_all()
    # Two records; the day seal covers the stored hashes, which the attacker left alone.
    assert result.problems == 2
    assert result.broken.record_id == log["b"][2].pk


def test_edited_anchor_breaks_the_anchor_chain(log):
    tamper("UPDATE audit_auditanchor SET record_count = record_count - 1")
    broken = verify_all().broken
    assert broken.message == verify.ANCHOR_CHAIN and broken.day == DAY1


def test_deleted_anchor_in_the_middle_breaks_the_anchor_chain(log, clock):
    anchor_closed_days(until=dt.date(2026, 3, 9))
    assert AuditAnchor.objects.count() == 2
    tamper("DELETE FROM audit_auditanchor WHERE day = %s", [DAY1])
    result = verify_all()
    # First the day that lost its seal, then the next anchor no longer chains (2 problems).
    assert result.broken.message == "anchor count/digest mismatch for day 2026-03-01"
    assert "no anchor" in result.broken.detail
    assert result.problems == 2


def test_anchor_relinked_to_skip_a_day_breaks_the_anchor_chain(log):
    anchor_closed_days(until=dt.date(2026, 3, 9))
    # The attacker points the second anchor past the first, as if the first never existed.
    tamper("UPDATE audit_auditanchor SET prev_hash = %s WHERE day = %s", ["0" * 64, TODAY])
    broken = verify_all().broken
    assert broken.message == verify.ANCHOR_CHAIN and broken.day == TODAY
    assert str(broken) == "anchor chain broken at day 2026-03-05"


def test_record_slipped_into_a_sealed_past_day_is_caught(log, clock):
    anchor_closed_days(until=dt.date(2026, 3, 9))
    # A day between two sealed days gets a (backdated) record.
    clock.set(2026, 3, 3, 12)
    _write("late")
    broken = verify_all().broken
    assert broken.message == "anchor count/digest mismatch for day 2026-03-03"
    assert "no anchor" in broken.detail


def test_verify_uses_streaming_iterators(log, monkeypatch):
    from django.db.models.query import QuerySet

    chunk_sizes = []
    original = QuerySet.iterator

    def spy(self, chunk_size=None):
        chunk_sizes.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    assert verify_all(chunk_size=500).ok
    assert chunk_sizes and set(chunk_sizes) == {500}
    assert connection.vendor in ("sqlite", "postgresql")
