"""Backfill of the trace steps' assessment columns (migration 0007), from the audit records.

``EventStep.area_code``, ``stage_deadline`` and ``deadline_met`` (migration 0006) are written
by every new step (``actions.base.trace``). For steps written before, they are recovered from
the step's own audit record, which is the authority for the trace:

- ``stage_deadline``: the deadline of the stage the step ended, i.e. the one in force before
  it. A record whose step changed the deadline holds it as the before value of
  ``changes["stage_deadline"]``; otherwise the deadline stood as the previous steps left it.
- ``deadline_met``: whether the step came at or before that deadline (None without one).
- ``area_code``: where the event was after the step (the after value of
  ``changes["area_code"]`` as the steps went, else the event's area code).

A step whose audit record is gone (retention purge) keeps no deadline and takes the event's
area code. The functions take the models as arguments so the migration passes its
historical ones; what they changed is recorded in one audit record (``record_summary``).
"""

import datetime as dt

from django.utils.dateparse import parse_datetime

from gridgov.audit.recorder import record

BATCH = 500
FIELDS = ("area_code", "stage_deadline", "deadline_met")
ACTION = "events.backfill_steps"


def _when(value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value
    return parse_datetime(str(value))


def step_columns(steps, event_area_code) -> list[dict]:
    """The three columns of one event's steps, given in ``seq`` order as dicts with ``at``
    and ``changes`` (the audit record's, or None when it is gone)."""
    out = []
    deadline = None  # the deadline in force after the steps so far
    area = None
    for step in steps:
        changes = step["changes"]
        before = deadline
        if changes is not None:
            if "stage_deadline" in changes:
                old, new = changes["stage_deadline"]
                before, deadline = _when(old), _when(new)
            if "area_code" in changes and changes["area_code"][1]:
                area = changes["area_code"][1]
        else:
            before = None  # unknown: the record that would say is gone
        out.append({
            "area_code": area or event_area_code,
            "stage_deadline": before,
            "deadline_met": None if before is None else step["at"] <= before,
        })
    return out


def backfill(EventStep, AuditRecord) -> dict:
    """Fill the columns of the steps that have none yet (``area_code`` empty); returns what
    it did: {"steps", "events", "with_deadline", "late", "without_record"}."""
    summary = dict.fromkeys(("steps", "events", "with_deadline", "late", "without_record"), 0)
    pending = (EventStep.objects.filter(area_code="").order_by("event_id")
               .values_list("event_id", flat=True).distinct())
    event_ids = list(pending)
    for start in range(0, len(event_ids), BATCH):
        _backfill_events(EventStep, AuditRecord, event_ids[start:start + BATCH], summary)
    return summary


def _backfill_events(EventStep, AuditRecord, event_ids, summary) -> None:
    steps = list(EventStep.objects.filter(event_id__in=event_ids)
                 .select_related("event").order_by("event_id", "seq"))
    changes = dict(AuditRecord.objects.filter(pk__in=[s.audit_record_id for s in steps])
                   .values_list("pk", "changes"))
    by_event: dict[int, list] = {}
    for step in steps:
        by_event.setdefault(step.event_id, []).append(step)
    changed = []
    for event_steps in by_event.values():
        rows = [{"at": s.at, "changes": changes.get(s.audit_record_id)} for s in event_steps]
        columns = step_columns(rows, event_steps[0].event.area_code)
        touched = False
        for step, row, values in zip(event_steps, rows, columns, strict=True):
            if step.area_code:
                continue  # written by the action itself: left as it is
            for name, value in values.items():
                setattr(step, name, value)
            changed.append(step)
            touched = True
            summary["steps"] += 1
            summary["with_deadline"] += values["stage_deadline"] is not None
            summary["late"] += values["deadline_met"] is False
            summary["without_record"] += row["changes"] is None
        summary["events"] += touched
    EventStep.objects.bulk_update(changed, FIELDS, batch_size=BATCH)


def clear(EventStep) -> int:
    """The reverse: every step's columns back to empty / None; returns how many."""
    return EventStep.objects.exclude(area_code="", stage_deadline=None, deadline_met=None).update(
        area_code="", stage_deadline=None, deadline_met=None)


def record_summary(summary: dict, *, remark: str) -> None:
    """One audit record (actor: the system) of what a backfill or its reverse changed."""
    record(ACTION, actor=None, object_type="events.eventstep", object_id="backfill",
           object_repr="EventStep area_code / stage_deadline / deadline_met",
           changes={"fields": list(FIELDS), **{k: [None, v] for k, v in summary.items()}},
           remark=remark)
