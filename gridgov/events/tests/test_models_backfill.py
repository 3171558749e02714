"""Migration 0007: the trace steps' area code, stage deadline and on-time outcome recovered
from their audit records, the same as the actions write them today, and audited."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from gridgov.audit import recorder
from gridgov.audit.models import AuditRecord
from gridgov.events import actions, backfill
from gridgov.events.choices import State
from gridgov.events.models import EventStep
from gridgov.events.tests.helpers_command import make_event

pytestmark = pytest.mark.django_db
COLUMNS = ("area_code", "stage_deadline", "deadline_met")
migration = importlib.import_module("gridgov.events.migrations.0007_backfill_step_deadlines")


def _columns(events):
    return {(s.event_id, s.seq): tuple(getattr(s, c) for c in COLUMNS)
            for s in EventStep.objects.filter(event__in=events).order_by("event_id", "seq")}


def _blank(events):
    EventStep.objects.filter(event__in=events).update(area_code="", stage_deadline=None,
                                                      deadline_met=None)


@pytest.fixture
def traced(gulou_grid, gulou_grid2, monkeypatch):
    """Events whose steps the actions wrote: one on time through to closing, one claimed
    after its deadline (a late step, recorded on a later clock), one merely reported."""
    on_time = make_event(gulou_grid, state=State.CLOSED)
    late = make_event(gulou_grid2, state=State.DISPATCHED)
    after = late.stage_deadline + dt.timedelta(hours=1)
    monkeypatch.setattr(recorder, "_now", lambda: after)
    late = actions.claim_event(late, actor=None)
    monkeypatch.undo()
    return [on_time, late, make_event(gulou_grid)]


def test_backfill_recovers_what_the_actions_wrote(traced):
    written = _columns(traced)
    # The fixture has the cases that matter: no deadline (the report), met and missed.
    assert {met for _a, _d, met in written.values()} == {None, True, False}
    _blank(traced)
    summary = backfill.backfill(EventStep, AuditRecord)
    assert _columns(traced) == written
    assert summary["steps"] >= len(written)
    assert summary["late"] >= 1 and summary["with_deadline"] >= 1
    # A second run finds nothing left to fill.
    assert backfill.backfill(EventStep, AuditRecord)["steps"] == 0


def test_late_step_keeps_the_deadline_it_missed(traced):
    late = traced[1]
    claim = EventStep.objects.get(event=late, action="claim")
    assert claim.deadline_met is False
    _blank(traced)
    backfill.backfill(EventStep, AuditRecord)
    claim.refresh_from_db()
    assert claim.deadline_met is False and claim.stage_deadline < claim.at
    assert claim.area_code == late.area_code


def test_migration_is_reversible_and_audited(traced):
    written = _columns(traced)
    before = AuditRecord.objects.filter(action=backfill.ACTION).count()
    migration.backward(apps, None)
    assert set(_columns(traced).values()) == {("", None, None)}
    migration.forward(apps, None)
    assert _columns(traced) == written
    records = list(AuditRecord.objects.filter(action=backfill.ACTION).order_by("id"))[before:]
    assert len(records) == 2
    cleared, filled = records
    assert cleared.actor_name == "system" and cleared.changes["cleared"][1] >= len(written)
    assert filled.changes["steps"][1] >= len(written)
    assert filled.changes["fields"] == list(COLUMNS)
    assert filled.chain_key == "events.eventstep:backfill" and filled.seq == cleared.seq + 1


def test_step_columns_follow_the_records():
    t0 = timezone.now()
    d1, d2 = t0 + dt.timedelta(hours=1), t0 + dt.timedelta(hours=5)
    steps = [
        {"at": t0, "changes": {"stage_deadline": [None, d1.isoformat()],
                               "area_code": [None, "330203005001001"]}},
        {"at": t0 + dt.timedelta(minutes=10), "changes": {"state": ["reported", "registered"]}},
        {"at": t0 + dt.timedelta(hours=2),
         "changes": {"stage_deadline": [d1.isoformat(), d2.isoformat()]}},
        {"at": t0 + dt.timedelta(hours=3), "changes": None},  # its record was purged
        {"at": t0 + dt.timedelta(hours=4), "changes": {"area_code": ["330203005001001",
                                                                     "330203005001002"]}},
    ]
    out = backfill.step_columns(steps, "330203005001009")
    assert [o["stage_deadline"] for o in out] == [None, d1, d1, None, d2]
    assert [o["deadline_met"] for o in out] == [None, True, False, None, True]
    assert [o["area_code"] for o in out] == ["330203005001001"] * 4 + ["330203005001002"]
