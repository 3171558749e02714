"""Periodic jobs of the event loop."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from .actions.alerts import mark_deadline
from .choices import TIMED_STATES, DeadlineStatus
from .models import Event

# Look this far ahead for stages that may be "due soon" (the mark itself is decided by
# ``Event.deadline_status``: the last fifth of the stage, at least 30 minutes).
LOOKAHEAD = dt.timedelta(days=3)


@shared_task(name="gridgov.events.tasks.scan_deadlines")
def scan_deadlines(now=None) -> dict:
    """Raise due-soon and overdue alerts once per stage (``actions.alerts.mark_deadline``).

    Each alert is an audit record on the event's chain and an ``event_transition`` signal
    ("due_soon" / "overdue"), which the notifications app turns into messages; an overdue
    event handled by its grid is escalated to the street. Returns the counts.
    """
    now = now or timezone.now()
    counts = {"due_soon": 0, "overdue": 0}
    candidates = (Event.objects.filter(state__in=list(TIMED_STATES),
                                       stage_deadline__lt=now + LOOKAHEAD)
                  .exclude(deadline_alert=DeadlineStatus.OVERDUE.value)
                  .only("pk", "state", "stage_deadline", "stage_started_at", "deadline_alert")
                  .order_by("stage_deadline"))
    for event in candidates.iterator(chunk_size=500):
        status = event.deadline_status(now)
        if status in counts and event.deadline_alert != status:
            if mark_deadline(event, kind=status, now=now) is not None:
                counts[status] += 1
    return counts
