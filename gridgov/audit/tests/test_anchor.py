"""Daily anchors: closed days sealed in order, chained, idempotent; the Celery task."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import transaction

from gridgov.audit import tasks
from gridgov.audit.anchor import (
    GRACE,
    anchor_closed_days,
    day_bounds,
    default_until,
    local_day,
    seal_values,
)
from gridgov.audit.chain import GENESIS, anchor_hash, digest_hashes
from gridgov.audit.models import AuditAnchor, AuditRecord
from gridgov.audit.recorder import record
from gridgov.audit.verify import verify_all

pytestmark = pytest.mark.django_db


def _write(key, n=1):
    out = []
    for _ in range(n):
        with transaction.atomic():
            out.append(record("test.anchor", object_type="test.thing", object_id=key))
    return out


def test_closed_days_are_sealed_in_order_and_chained(clock):
    clock.set(2026, 4, 1, 8)
    day1 = _write("a", 2) + _write("b")
    clock.set(2026, 4, 3, 23, 59)
    day3 = _write("a")
    clock.set(2026, 4, 4, 0, 1)  # the "today" of this test: not sealed
    _write("a")

    anchors = anchor_closed_days(until=dt.date(2026, 4, 4))

    assert [a.day for a in anchors] == [dt.date(2026, 4, 1), dt.date(2026, 4, 3)]
    first, second = anchors
    assert first.prev_hash == GENESIS  # the demo's records are all later than April
    assert second.prev_hash == first.hash
    assert (first.record_count, first.first_id, first.last_id) == (3, day1[0].pk, day1[-1].pk)
    assert first.records_digest == digest_hashes(r.hash for r in day1)
    assert second.record_count == 1 and second.records_digest == digest_hashes([day3[0].hash])
    assert first.hash == anchor_hash(first.day, 3, first.records_digest, day1[0].pk,
                                     day1[-1].pk, GENESIS)
    assert not AuditAnchor.objects.filter(day=dt.date(2026, 4, 2)).exists()  # no records
    assert verify_all().ok


def test_anchoring_is_idempotent(clock):
    clock.set(2026, 4, 1, 8)
    _write("a", 2)
    assert len(anchor_closed_days(until=dt.date(2026, 4, 5))) == 1
    before = list(AuditAnchor.objects.values_list("day", "hash"))
    assert anchor_closed_days(until=dt.date(2026, 4, 5)) == []
    assert list(AuditAnchor.objects.values_list("day", "hash")) == before


def test_later_days_continue_the_anchor_chain(clock):
    clock.set(2026, 4, 1, 8)
    _write("a")
    (first,) = anchor_closed_days(until=dt.date(2026, 4, 2))
    clock.set(2026, 4, 6, 8)
    _write("a")
    (second,) = anchor_closed_days(until=dt.date(2026, 4, 7))
    assert second.day == dt.date(2026, 4, 6) and second.prev_hash == first.hash
    assert verify_all().ok


def test_days_follow_the_configured_time_zone(clock):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    # 15:30 UTC on 1 May is 23:30 in Shanghai (1 May); 16:30 UTC is 00:30 on 2 May.
    clock.set(dt.datetime(2026, 5, 1, 15, 30, tzinfo=dt.UTC))
    (late,) = _write("tz")
    clock.set(dt.datetime(2026, 5, 1, 16, 30, tzinfo=dt.UTC))
    (early,) = _write("tz")
    assert local_day(late.at) == dt.date(2026, 5, 1)
    assert local_day(early.at) == dt.date(2026, 5, 2)
    start, end = day_bounds(dt.date(2026, 5, 1))
    assert start.utcoffset() == dt.timedelta(hours=8) and end - start == dt.timedelta(days=1)
    anchors = anchor_closed_days(until=dt.date(2026, 5, 3))
    assert [(a.day, a.record_count) for a in anchors] == [
        (dt.date(2026, 5, 1), 1), (dt.date(2026, 5, 2), 1)]


def test_today_is_never_sealed_and_midnight_has_a_grace_period():
    # By default, "today" (less a short grace after midnight) is the first day left open.
    noon = dt.datetime(2026, 6, 10, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai
    assert default_until(noon) == dt.date(2026, 6, 10)
    just_after_midnight = dt.datetime(2026, 6, 9, 16, 5, tzinfo=dt.UTC)  # 00:05 on 10 June
    assert GRACE > dt.timedelta(minutes=5)
    assert default_until(just_after_midnight) == dt.date(2026, 6, 9)


def test_default_run_leaves_todays_records_open():
    # The demo (and this test) write records today; none of today's get sealed.
    _write("today")
    today = local_day(AuditRecord.objects.order_by("-id").first().at)
    anchor_closed_days()
    assert not AuditAnchor.objects.filter(day__gte=today).exists()


def test_an_earlier_day_is_never_sealed_out_of_order(clock):
    clock.set(2026, 4, 1, 8)
    _write("a")
    clock.set(2026, 4, 5, 8)
    _write("a")
    anchor_closed_days(until=dt.date(2026, 4, 6))
    clock.set(2026, 4, 3, 8)  # a backdated record (a forged insert or a clock gone wrong)
    _write("b")
    assert anchor_closed_days(until=dt.date(2026, 4, 6)) == []
    assert not AuditAnchor.objects.filter(day=dt.date(2026, 4, 3)).exists()
    assert not verify_all().ok


def test_seal_values_stream_the_day():
    assert seal_values(dt.date(2000, 1, 1)) == (0, digest_hashes([]), None, None)


def test_celery_beat_runs_the_seal_job_and_the_task_seals(clock):
    beat = settings.CELERY_BEAT_SCHEDULE["audit-seal"]
    assert (beat["task"], beat["args"]) == ("gridgov.core.tasks.run_job", ["audit_seal"])
    clock.set(2026, 4, 1, 8)
    _write("task")
    # Runs in process (no broker configured): seals every closed day, the April one included.
    sealed = tasks.anchor_closed_days.apply().get()
    assert "2026-04-01" in sealed
    assert tasks.anchor_closed_days.apply().get() == []
