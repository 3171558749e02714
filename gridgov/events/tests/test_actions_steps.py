"""Each step row records where the event was, the deadline of the stage it ended (the one in
force before the step) and whether the step met it, for assessment and dashboards."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.events import actions
from gridgov.events.choices import State
from gridgov.events.models import Event, EventStep
from gridgov.events.tasks import scan_deadlines

from .workflow_support import call, event_in, new_event, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(db):
    return people()


def _last_step(event) -> EventStep:
    return EventStep.objects.filter(event=event).order_by("-seq").first()


def test_report_step_has_the_area_and_no_deadline(p):
    event = new_event(p)
    step = _last_step(event)
    assert step.action == "report"
    assert step.area_code == event.area_code and len(step.area_code) == 15
    assert step.stage_deadline is None and step.deadline_met is None


def test_a_step_in_time_keeps_the_deadline_it_met(p):
    event = new_event(p)
    deadline = event.stage_deadline
    assert deadline is not None
    moved = call("register", event, p)
    step = _last_step(moved)
    assert step.action == "register" and step.area_code == event.area_code
    assert step.stage_deadline == deadline
    assert step.deadline_met is True
    # The next step is measured against the deadline in force before it, not the new one.
    Event.objects.filter(pk=event.pk).update(stage_deadline=None)
    filed = call("file", moved, p)
    assert _last_step(filed).stage_deadline is None
    assert _last_step(filed).deadline_met is None


def test_a_late_step_is_marked_not_met(p):
    event = event_in(State.IN_PROGRESS, p)
    late = timezone.now() - dt.timedelta(hours=2)
    Event.objects.filter(pk=event.pk).update(stage_deadline=late, handle_deadline=late)
    done = call("complete", event, p, overdue_reason="等待配件")
    step = _last_step(done)
    assert step.action == "complete"
    assert step.stage_deadline == late and step.deadline_met is False
    assert step.department_id == event.department_id


def test_deadline_alerts_and_merges_fill_the_columns(p):
    event = event_in(State.DISPATCHED, p)
    past = timezone.now() - dt.timedelta(minutes=5)
    Event.objects.filter(pk=event.pk).update(stage_deadline=past)
    scan_deadlines()
    alert = _last_step(event)
    assert alert.action == "overdue"
    assert alert.stage_deadline == past and alert.deadline_met is False
    primary, duplicate = new_event(p), new_event(p)
    actions.merge_events(primary, [duplicate], actor=p["clerk"])
    merged = _last_step(duplicate)
    assert merged.action == "merge" and merged.area_code == duplicate.area_code
    assert merged.stage_deadline == duplicate.stage_deadline and merged.deadline_met is True
