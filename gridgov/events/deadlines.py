"""Stage deadlines from the category's time limits (REFERENCE §5).

- register + dispatch (reported → dispatched): minutes by urgency, plain clock time;
- handling (dispatched → completed): ``handle_amount`` ``handle_unit`` (working days or
  working hours on China's calendar, or plain hours), extended by approved extensions;
- verification (completed → closed): hours, urban or rural by the kind of the street the
  event lies in (a 街道 is urban; a 镇 or 乡 is rural).

Each function returns ``(deadline | None, note)``; the note is non-empty when the calendar
does not know the year the deadline falls in (``gridgov.core.workdays.CalendarUnknown``).
"""

import datetime as dt

from django.utils import timezone

from gridgov.areas.choices import Kind
from gridgov.core import workdays

from .choices import TimeUnit, Urgency

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
