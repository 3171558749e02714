"""Test helpers for the command room, notifications and Open311: events in a given state.

Events are made the way production makes them: ``report_event`` and then the transitions of
``gridgov.events.actions`` as the system (``actor=None``), so every event has its trace.
"""

import datetime as dt

import shapely.geometry
from django.utils import timezone

from gridgov.events import actions
from gridgov.events.choices import State
from gridgov.events.models import Event, MinorCategory
from gridgov.events.tests.workflow_support import photo

# The order the loop walks; make_event stops at the state asked for.
PATH = (State.REPORTED, State.REGISTERED, State.FILED, State.DISPATCHED, State.IN_PROGRESS,
        State.COMPLETED, State.CLOSED)


def point_in(area) -> tuple[float, float]:
    """A WGS-84 point inside the area's polygon."""
    point = shapely.geometry.shape(area.geometry).representative_point()
    return point.x, point.y


def category(department_code="D034") -> MinorCategory:
    """An active minor class whose default department is ``department_code``."""
    if not MinorCategory.objects.filter(default_department__isnull=False).exists():
        actions.link_default_departments(actor=None)
    return (MinorCategory.objects.filter(is_active=True,
                                         default_department__code=department_code)
            .order_by("code").first())


def make_event(grid, *, state=State.REPORTED, cat=None, reporter=None, phone="",
               description="人行道上堆放建筑垃圾", source="grid_patrol", to_grid=False,
               **report) -> Event:
    """An event in ``grid`` walked through the loop to ``state`` (as the system)."""
    lng, lat = point_in(grid)
    if cat is None and PATH.index(state) >= PATH.index(State.FILED):
        cat = category()
    event = actions.report_event(source=source, description=description, lng=lng, lat=lat,
                                 actor=reporter, category=cat, reporter_phone=phone, **report)
    steps = {
        State.REGISTERED: lambda e: actions.register_event(e, actor=None),
        State.FILED: lambda e: actions.file_event(e, actor=None),
        State.DISPATCHED: lambda e: actions.dispatch_event(e, grid=True if to_grid else None,
                                                           actor=None),
        State.IN_PROGRESS: lambda e: actions.claim_event(e, actor=None),
        State.COMPLETED: lambda e: actions.complete_event(e, remark="已清理", actor=None,
                                                          attachments=[photo()]),
        State.CLOSED: lambda e: actions.verify_event(e, passed=True, actor=None,
                                                     attachments=[photo()]),
    }
    for step in PATH[1: PATH.index(state) + 1]:
        event = steps[step](event)
    return Event.objects.get(pk=event.pk)


def make_overdue(event, minutes=10) -> Event:
    """Move the event's current stage deadline into the past (test set-up of time)."""
    Event.objects.filter(pk=event.pk).update(
        stage_deadline=timezone.now() - dt.timedelta(minutes=minutes))
    return Event.objects.get(pk=event.pk)


def make_due_soon(event, minutes=10) -> Event:
    Event.objects.filter(pk=event.pk).update(
        stage_deadline=timezone.now() + dt.timedelta(minutes=minutes),
        stage_started_at=timezone.now() - dt.timedelta(hours=5))
    return Event.objects.get(pk=event.pk)
