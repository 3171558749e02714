"""Checkpoints: the open day sealed so far, incrementally, chained, safe with several processes;
``seal_now`` anchors closed days first; ``gridgov audit anchor`` and the Celery task do both."""

import datetime as dt
import io
import types

import pytest
from django.core.management import call_command
from django.db import transaction

from gridgov.audit import seal, tasks, verify
from gridgov.audit.anchor import GRACE
from gridgov.audit.chain import GENESIS, checkpoint_digest, checkpoint_hash
from gridgov.audit.models import AuditAnchor, AuditCheckpoint
from gridgov.audit.recorder import record
from gridgov.audit.seal import checkpoint_open_day, seal_now
from gridgov.audit.tests.tamper import tamper
from gridgov.audit.verify import verify_all

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 3, 5)


def at(hour, minute=0, day=5):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


def _write(key, n=1):
    out = []
    for _ in range(n):
        with transaction.atomic():
            out.append(record("test.checkpoint", object_type="test.thing", object_id=key))
    return out


def test_a_checkpoint_seals_the_records_older_than_the_grace_period(clock):
    assert GRACE == dt.timedelta(minutes=10)
    clock.set(2026, 3, 5, 9)
    early = _write("a", 2)
    clock.set(2026, 3, 5, 9, 55)
    recent = _write("a")  # younger than the grace period at 10:00: a transaction may be open
    checkpoint = checkpoint_open_day(at(10))
    assert (checkpoint.day, checkpoint.upto_id, checkpoint.record_count) == (
        DAY, early[-1].pk, 2)
    assert checkpoint.records_digest == checkpoint_digest("", [r.hash for r in early])
    assert checkpoint.prev_hash == GENESIS  # no anchor before it (the demo is later)
    assert checkpoint.hash == checkpoint_hash(checkpoint, GENESIS)
    assert checkpoint.at == at(10)
    # The next one reads only what came since, and chains on.
    nxt = checkpoint_open_day(at(10, 15))
    assert (nxt.upto_id, nxt.record_count, nxt.prev_hash) == (recent[0].pk, 3, checkpoint.hash)
    assert nxt.records_digest == checkpoint_digest(checkpoint.records_digest, [recent[0].hash])
    result = verify_all()
    assert result.ok and result.checkpoints == 2
    assert result.summary().endswith(", 2 checkpoints")


def test_nothing_new_means_no_checkpoint(clock):
    assert checkpoint_open_day(at(10)) is None  # no records on that day
    clock.set(2026, 3, 5, 9)
    _write("a")
    assert checkpoint_open_day(at(10)) is not None
    assert checkpoint_open_day(at(11)) is None
    assert AuditCheckpoint.objects.count() == 1


def test_the_first_checkpoint_of_a_day_chains_to_the_last_anchor(clock):
    clock.set(2026, 3, 1, 9)
    _write("a", 2)
    clock.set(2026, 3, 5, 9)
    _write("a")
    anchors, checkpoint = seal_now(at(10))
    assert [a.day for a in anchors] == [dt.date(2026, 3, 1)]
    assert checkpoint.prev_hash == anchors[0].hash
    assert verify_all().ok


def test_around_midnight_the_day_is_checkpointed_then_anchored(clock):
    clock.set(2026, 3, 4, 23, 30)
    (late,) = _write("a")
    clock.set(2026, 3, 5, 0, 3)
    (early,) = _write("a")
    # At 00:05 the grace period still belongs to the 4th: checkpoint it, do not anchor it.
    anchors, checkpoint = seal_now(at(0, 5))
    assert anchors == [] and (checkpoint.day, checkpoint.upto_id) == (dt.date(2026, 3, 4),
                                                                      late.pk)
    # At 00:20 the 4th is closed: anchored, and the 5th's first checkpoint chains to it.
    anchors, checkpoint = seal_now(at(0, 20))
    assert [a.day for a in anchors] == [dt.date(2026, 3, 4)]
    assert (checkpoint.day, checkpoint.upto_id) == (DAY, early.pk)
    assert checkpoint.prev_hash == anchors[0].hash
    assert verify_all().ok


def test_two_processes_sealing_at_once_do_not_fork_the_chain(clock, monkeypatch):
    clock.set(2026, 3, 5, 9)
    _write("a", 2)
    first = checkpoint_open_day(at(10))
    _write("a", 2)
    # Another process read the day before the first checkpoint existed: its insert collides
    # (unique prev_hash), and it starts again from the checkpoint that won.
    real = seal.last_checkpoint
    calls = []

    def stale_once(day):
        calls.append(day)
        return None if len(calls) == 1 else real(day)

    monkeypatch.setattr(seal, "last_checkpoint", stale_once)
    second = checkpoint_open_day(at(10))
    assert len(calls) == 2
    assert second.prev_hash == first.hash and second.record_count == 4
    # The same checkpoint twice (same day and id): the second process finds nothing to do.
    monkeypatch.setattr(seal, "last_checkpoint", lambda day: first if day == DAY else None)
    assert checkpoint_open_day(at(10)) is None
    assert AuditCheckpoint.objects.count() == 2
    assert verify_all().ok


def test_a_changed_or_removed_checkpoint_is_caught(clock):
    clock.set(2026, 3, 5, 9)
    _write("a")
    first = checkpoint_open_day(at(10))
    clock.set(2026, 3, 5, 10)
    _write("a")
    checkpoint_open_day(at(10, 30))
    tamper("UPDATE audit_auditcheckpoint SET record_count = 5 WHERE id = %s", [first.pk])
    broken = verify_all().broken
    assert broken.kind == verify.CHECKPOINT_CHAIN and broken.day == DAY
    tamper("DELETE FROM audit_auditcheckpoint WHERE id = %s", [first.pk])
    broken = verify_all().broken
    assert broken.kind == verify.CHECKPOINT_CHAIN  # the second one no longer links


def test_removing_the_last_anchor_is_caught_by_the_next_days_checkpoint(clock):
    clock.set(2026, 3, 1, 9)
    _write("a")
    clock.set(2026, 3, 5, 9)
    _write("a")
    seal_now(at(10))
    tamper("DELETE FROM audit_auditanchor")
    broken = verify_all().broken
    assert broken.kind == verify.CHECKPOINT_CHAIN and broken.day == DAY


def _run(*args):
    out = io.StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def test_anchor_command_seals_closed_days_and_checkpoints_today(clock, monkeypatch):
    monkeypatch.setattr(seal, "timezone", types.SimpleNamespace(now=lambda: at(10)))
    clock.set(2026, 3, 1, 9)
    _write("a", 2)
    clock.set(2026, 3, 5, 9)
    (today,) = _write("a")
    out = _run("anchor")
    assert "sealed 2026-03-01: 2 records" in out
    assert f"checkpoint 2026-03-05: 1 records up to record {today.pk}" in out
    assert _run("anchor").strip() == "nothing to seal"
    assert AuditAnchor.objects.filter(day=dt.date(2026, 3, 1)).exists()


def test_celery_task_also_checkpoints(clock, monkeypatch):
    monkeypatch.setattr(seal, "timezone", types.SimpleNamespace(now=lambda: at(10)))
    clock.set(2026, 3, 5, 9)
    (today,) = _write("a")
    assert tasks.anchor_closed_days.apply().get() == [f"checkpoint 2026-03-05 <= #{today.pk}"]
    assert tasks.anchor_closed_days.apply().get() == []
