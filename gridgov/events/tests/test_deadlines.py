"""Stage deadlines on China's calendar, read-time marks and the periodic scan."""

import datetime as dt

import pytest
from django.db.models import Count
from django.utils import timezone

from gridgov.events import actions, deadlines
from gridgov.events.choices import DeadlineStatus, EventLevel, State
from gridgov.events.models import Event, MinorCategory
from gridgov.events.signals import event_transition
from gridgov.events.tasks import scan_deadlines

from .workflow_support import call, event_in, new_event, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(db):
    return people()


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


def _event(code, urgency="normal", area_code="330203005001001"):
    return Event(category=MinorCategory.objects.get(code=code), urgency=urgency,
                 area_code=area_code)


def test_dispatch_minutes_by_urgency():
    start = local(2025, 9, 30, 10, 0)
    assert deadlines.dispatch_deadline(_event("0102", "urgent"), start)[0] == local(
        2025, 9, 30, 10, 10)
    assert deadlines.dispatch_deadline(_event("0102"), start)[0] == local(2025, 9, 30, 10, 30)


@pytest.mark.parametrize("code, start, expected", [
    # 暴露垃圾: 1 working day, across National Day 2025.
    ("0102", (2025, 9, 30, 10, 0), (2025, 10, 9, 10, 0)),
    # 积存垃圾渣土: 4 working days, the 调休 Saturday 11 October counts (10, 11, 13, 14).
    ("0103", (2025, 10, 9, 9, 0), (2025, 10, 14, 9, 0)),
    # 道路不洁: 5 working hours, 16:00 on the eve of the holiday.
    ("0104", (2025, 9, 30, 16, 0), (2025, 10, 9, 12, 0)),
    # 违法搭建: 15 working days across the 2026 Spring Festival (11–14 Feb with the 调休
    # Saturday, 24–28 Feb with another, 2–6 March, 9 March).
    ("0101", (2026, 2, 10, 9, 0), (2026, 3, 9, 9, 0)),
    # 露天烧烤: 2 hours on the clock, holiday or not.
    ("0510", (2025, 10, 1, 21, 0), (2025, 10, 1, 23, 0)),
])
def test_handling_deadline_per_class(code, start, expected):
    deadline, note = deadlines.handle_deadline(_event(code), local(*start))
    assert (deadline, note) == (local(*expected), "")


def test_handling_deadline_beyond_the_calendar_says_so():
    deadline, note = deadlines.handle_deadline(_event("0101"), local(2030, 12, 20, 9, 0))
    assert deadline is None
    assert "2030年" in note


def test_verification_urban_and_rural():
    start = local(2025, 10, 9, 9, 0)
    urban = deadlines.verify_deadline(_event("0102"), start)[0]
    rural = deadlines.verify_deadline(_event("0102", area_code="330203101201001"), start)[0]
    assert urban - start == dt.timedelta(hours=1)
    assert rural - start == dt.timedelta(hours=2)


def test_extension_in_working_days():
    assert deadlines.extend(local(2025, 9, 29, 10, 0), 2)[0] == local(2025, 10, 9, 10, 0)


def test_unknown_calendar_on_dispatch_is_noted(p, monkeypatch):
    from gridgov.core import workdays

    event = event_in(State.FILED, p)

    def unknown(start, n):
        raise workdays.CalendarUnknown(dt.date(2031, 1, 1))

    monkeypatch.setattr(workdays, "add_working_days", unknown)
    dispatched = call("dispatch", event, p)
    assert dispatched.handle_deadline is None
    assert "2031" in dispatched.deadline_note


def test_read_time_marks(p):
    event = event_in(State.DISPATCHED, p)
    now = timezone.now()
    assert event.deadline_status(now) == DeadlineStatus.ON_TIME
    assert event.deadline_status(event.stage_deadline - dt.timedelta(minutes=5)) == \
        DeadlineStatus.DUE_SOON
    assert event.deadline_status(event.stage_deadline + dt.timedelta(seconds=1)) == \
        DeadlineStatus.OVERDUE
    Event.objects.filter(pk=event.pk).update(stage_deadline=now - dt.timedelta(minutes=1))
    annotated = Event.objects.with_deadline_status().get(pk=event.pk)
    assert annotated.deadline_status_value == DeadlineStatus.OVERDUE
    assert annotated.deadline_status() == DeadlineStatus.OVERDUE
    assert Event.objects.overdue().filter(pk=event.pk).exists()
    closed = event_in(State.CLOSED, p)
    assert closed.deadline_status() == DeadlineStatus.NONE


def test_scan_raises_alerts_once_and_escalates_grid_cases(p, django_capture_on_commit_callbacks):
    seen = []

    def listener(sender, event, action, **kwargs):
        seen.append((event.pk, action))

    dept = event_in(State.DISPATCHED, p)
    grid = actions.dispatch_event(event_in(State.FILED, p), grid=True, actor=p["dispatcher"])
    later = max(dept.stage_deadline, grid.stage_deadline) + dt.timedelta(minutes=1)
    event_transition.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            counts = scan_deadlines(now=later)
            again = scan_deadlines(now=later)
    finally:
        event_transition.disconnect(listener)
    assert counts["overdue"] >= 2 and again["overdue"] == 0
    assert (dept.pk, "overdue") in seen and (grid.pk, "overdue") in seen
    grid.refresh_from_db()
    dept.refresh_from_db()
    assert grid.level == EventLevel.STREET and grid.deadline_alert == "overdue"
    assert dept.level == EventLevel.COMMUNITY
    assert dept.steps.filter(action="overdue").count() == 1


def test_scan_due_soon(p):
    event = event_in(State.DISPATCHED, p)
    soon = event.stage_deadline - dt.timedelta(minutes=5)
    scan_deadlines(now=soon)
    event.refresh_from_db()
    assert event.deadline_alert == "due_soon"
    # A new stage resets the alert.
    claimed = call("claim", event, p)
    assert claimed.deadline_alert == "due_soon"  # claiming keeps the handling stage
    done = call("complete", claimed, p)
    assert done.deadline_alert == ""


def test_scan_is_in_the_beat_schedule(settings, monkeypatch):
    jobs = {tuple(v.get("args", ())) for v in settings.CELERY_BEAT_SCHEDULE.values()
            if v["task"] == "gridgov.core.tasks.run_job"}
    assert ("deadline_scan",) in jobs
    from gridgov.events import autoscan, tasks

    monkeypatch.setattr(tasks, "scan_deadlines", lambda: {"scanned": "yes"})
    assert autoscan.job.fn() == {"scanned": "yes"}  # the job beat runs is the scan


def test_new_event_gets_a_stage_deadline(p):
    event = new_event(p)
    assert event.stage_deadline is not None and event.deadline_note == ""


# --- one rule, in Python and in SQL ---------------------------------------------------------

SWEEP_MINUTES = (-600, -1, 0, 1, 20, 29, 30, 31, 60, 119, 120, 121, 600)
SWEEP_STAGES = (None, 0, 30, 50, 150, 600, 6000)


def test_python_and_sql_marks_agree_on_a_sweep(p):
    """Due soon is max(30 min, a fifth of the stage) before the deadline, the same to the
    microsecond in ``Event.deadline_status`` and in the queryset's filters and annotation."""
    from gridgov.events.deadlines import due_soon_q, overdue_q, status_expression

    event = event_in(State.DISPATCHED, p)
    now = timezone.now()
    seen = set()
    for left in SWEEP_MINUTES:
        for stage in SWEEP_STAGES:
            deadline = now + dt.timedelta(minutes=left)
            started = None if stage is None else deadline - dt.timedelta(minutes=stage)
            Event.objects.filter(pk=event.pk).update(stage_deadline=deadline,
                                                     stage_started_at=started)
            row = (Event.objects.filter(pk=event.pk)
                   .annotate(mark=status_expression(now))
                   .annotate(due=Count("pk", filter=due_soon_q(now)),
                             late=Count("pk", filter=overdue_q(now)))
                   .values("mark", "due", "late").get())
            python = Event.objects.get(pk=event.pk).deadline_status(now)
            assert row["mark"] == python, (left, stage)
            assert bool(row["due"]) == (python == DeadlineStatus.DUE_SOON), (left, stage)
            assert bool(row["late"]) == (python == DeadlineStatus.OVERDUE), (left, stage)
            seen.add(python)
    assert seen == {DeadlineStatus.ON_TIME, DeadlineStatus.DUE_SOON, DeadlineStatus.OVERDUE}
    # The fifth of a 600-minute stage (120) wins over 30 minutes, at its edge exactly.
    Event.objects.filter(pk=event.pk).update(stage_deadline=now + dt.timedelta(minutes=120),
                                             stage_started_at=now - dt.timedelta(minutes=480))
    assert Event.objects.due_soon(now).filter(pk=event.pk).exists()
    Event.objects.filter(pk=event.pk).update(
        stage_started_at=now - dt.timedelta(minutes=480) + dt.timedelta(microseconds=5))
    assert not Event.objects.due_soon(now).filter(pk=event.pk).exists()
    assert Event.objects.get(pk=event.pk).deadline_status(now) == DeadlineStatus.ON_TIME


def test_states_without_a_running_stage_have_no_mark(p):
    event = event_in(State.DISPATCHED, p)
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(state=State.SUSPENDED,
                                             stage_deadline=now - dt.timedelta(hours=1))
    assert Event.objects.with_deadline_status(now).get(
        pk=event.pk).deadline_status_value == DeadlineStatus.NONE
    assert not Event.objects.overdue(now).filter(pk=event.pk).exists()


def test_due_soon_mark_keeps_the_version_a_dispatcher_read(p):
    """The scan passing by must not make the dispatcher's step conflict (found by the soak)."""
    event = event_in(State.FILED, p)
    read_version = event.version
    scan_deadlines(now=event.stage_deadline - dt.timedelta(minutes=5))
    event.refresh_from_db()
    assert event.deadline_alert == "due_soon" and event.version == read_version
    dispatched = call("dispatch", event, p, expected_version=read_version)
    assert dispatched.state == State.DISPATCHED


def test_overdue_escalation_moves_the_version(p):
    """An escalation changes who handles the case: a step read before it must conflict."""
    grid = actions.dispatch_event(event_in(State.FILED, p), grid=True, actor=p["dispatcher"])
    read_version = grid.version
    scan_deadlines(now=grid.stage_deadline + dt.timedelta(minutes=1))
    grid.refresh_from_db()
    assert grid.level == EventLevel.STREET and grid.version == read_version + 1
