"""Stage deadlines from the category's time limits (REFERENCE §5).

- register + dispatch (reported → dispatched): minutes by urgency, plain clock time;
- handling (dispatched → completed): ``handle_amount`` ``handle_unit`` (working days or
  working hours on China's calendar, or plain hours), extended by approved extensions;
- verification (completed → closed): hours, urban or rural by the kind of the street the
  event lies in (a 街道 is urban; a 镇 or 乡 is rural).

Each function returns ``(deadline | None, note)``; the note is non-empty when the calendar
does not know the year the deadline falls in (``gridgov.core.workdays.CalendarUnknown``).

The read-time mark of a stage (none / on time / due soon / overdue) is defined once, at the
end of this module, twice over: ``status()`` for one event in Python and ``overdue_q()`` /
``due_soon_q()`` / ``status_expression()`` for SQL (the queues, counts, lists and map). Both
use the same integer comparison, so a row badge, a map colour and a queue count never
disagree (``tests/test_deadlines.py`` checks them against each other on a sweep of times).
"""

import datetime as dt

from django.db import models
from django.db.models import Case, ExpressionWrapper, F, Q, Value, When
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from gridgov.areas.choices import Kind
from gridgov.core import workdays

from .choices import TIMED_STATES, DeadlineStatus, TimeUnit, Urgency

DEFAULT_DISPATCH_MINUTES = {Urgency.URGENT: 10, Urgency.NORMAL: 30}
DEFAULT_HANDLE = (1, TimeUnit.WORKING_DAYS)
DEFAULT_VERIFY_HOURS = (1, 2)
RURAL_KINDS = frozenset({Kind.TOWN, Kind.TOWNSHIP})


def dispatch_deadline(event, start=None):
    """Deadline to register, file and dispatch the event."""
    start = start or timezone.now()
    category = event.category
    if category is not None:
        minutes = (category.dispatch_minutes_urgent if event.urgency == Urgency.URGENT
                   else category.dispatch_minutes_normal)
    else:
        minutes = DEFAULT_DISPATCH_MINUTES[Urgency(event.urgency)]
    return workdays.deadline_for(start, minutes, TimeUnit.MINUTES)


def handle_deadline(event, start=None):
    """Deadline to handle the event after dispatch (or after rework)."""
    start = start or timezone.now()
    category = event.category
    amount, unit = ((category.handle_amount, category.handle_unit) if category is not None
                    else DEFAULT_HANDLE)
    return workdays.deadline_for(start, amount, unit)


def extend(deadline, days: int):
    """A handling deadline moved by ``days`` working days (an approved extension)."""
    if deadline is None:
        return None, ""
    return workdays.deadline_for(deadline, days, TimeUnit.WORKING_DAYS)


def is_rural(event) -> bool:
    """Whether the event's street is a town or township (rural verification limit)."""
    from gridgov.areas.models import Area

    kind = Area.objects.filter(code=event.area_code[:9]).values_list("kind", flat=True).first()
    return kind in RURAL_KINDS


def verify_deadline(event, start=None):
    """Deadline for the on-site verification after the handler reported completion."""
    start = start or timezone.now()
    category = event.category
    urban, rural = ((category.verify_hours_urban, category.verify_hours_rural)
                    if category is not None else DEFAULT_VERIFY_HOURS)
    hours = rural if is_rural(event) else urban
    return workdays.deadline_for(start, hours, TimeUnit.HOURS)


def remaining(event, now=None) -> dt.timedelta | None:
    """Time left in the current stage (negative when overdue), or ``None``."""
    if event.stage_deadline is None:
        return None
    return event.stage_deadline - (now or timezone.now())


# --- the read-time mark: one rule, in Python and in SQL ----------------------------------------

# A stage is "due soon" in its last fifth, and at least in its last 30 minutes:
#   remaining <= max(DUE_SOON_MIN, (deadline - started) / DUE_SOON_PARTS)
# The fifth is written without division or floats, so Python and both databases agree to the
# microsecond: remaining <= (deadline - started) / 5  <=>  4 * remaining <= now - started.
# The stage's start is stored (``Event.stage_started_at``, set with every stage deadline);
# without it only the fixed window applies.
DUE_SOON_MIN = dt.timedelta(minutes=30)
DUE_SOON_PARTS = 5


def status(state, deadline, started, now=None) -> str:
    """none / on_time / due_soon / overdue of a stage with ``deadline`` started at
    ``started``, at ``now`` (the same rule as ``status_expression``)."""
    if state not in TIMED_STATES or deadline is None:
        return DeadlineStatus.NONE
    now = now or timezone.now()
    if deadline < now:
        return DeadlineStatus.OVERDUE
    remaining = deadline - now
    if remaining <= DUE_SOON_MIN or (
            started is not None and remaining * (DUE_SOON_PARTS - 1) <= now - started):
        return DeadlineStatus.DUE_SOON
    return DeadlineStatus.ON_TIME


def _timed_q() -> Q:
    return Q(state__in=sorted(TIMED_STATES), stage_deadline__isnull=False)


def overdue_q(now) -> Q:
    """Events whose running stage is past its deadline at ``now``."""
    return _timed_q() & Q(stage_deadline__lt=now)


def due_soon_q(now) -> Q:
    """Events whose running stage is due soon at ``now`` (not yet overdue)."""
    at = Value(now, output_field=models.DateTimeField())
    # Durations: microseconds on SQLite, intervals on PostgreSQL; both compare and scale.
    remaining = F("stage_deadline") - at
    elapsed = at - F("stage_started_at")
    scaled = ExpressionWrapper(remaining * Value(DUE_SOON_PARTS - 1),
                               output_field=models.DurationField())
    share = LessThanOrEqual(scaled, elapsed)
    return _timed_q() & Q(stage_deadline__gte=now) & (
        Q(stage_deadline__lte=now + DUE_SOON_MIN)
        | (Q(stage_started_at__isnull=False) & Q(share)))


def status_expression(now):
    """An SQL expression of the mark at ``now`` (for ``EventQuerySet.with_deadline_status``)."""
    return Case(
        When(overdue_q(now), then=Value(DeadlineStatus.OVERDUE.value)),
        When(due_soon_q(now), then=Value(DeadlineStatus.DUE_SOON.value)),
        When(_timed_q(), then=Value(DeadlineStatus.ON_TIME.value)),
        default=Value(DeadlineStatus.NONE.value),
        output_field=models.CharField(),
    )
