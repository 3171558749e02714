"""Reading the figures from the rollup (``gridgov.events.rollups.EventRollup``).

The rollup holds additive measures (reported, due, closed, on time, hours) per day and
community, and per month and street, by major class and source, kept by triggers in the same
transaction as every write to events. A period becomes its whole months (month rows) plus
the days at its ends (day rows), so a year of the district is read from some 40,000 rows
instead of a million events. Figures by community (a street's ranking, the community table)
read day rows only.

It answers a query when the area is a community or larger and lies inside the person's
area scope (then ``Event.objects.restrict`` keeps every event of the area, and the rollup's
sums are exactly the events' figures). Everything else reads the events: a grid, or no area
chosen (a person with several areas, whose own reports outside them also count), and the
dimensions the rollup lacks (grid, minor class, nature, department, state).

What changes with the clock (overdue now) is never in the rollup: the callers count it live
from the open events, which are few and indexed by (state, stage deadline).
"""

import datetime as dt
import functools
import operator

from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Substr

from gridgov.core.access import get_scope
from gridgov.events.rollups import DAY, MONTH, EventRollup

# Rollup columns of the dimensions it has (area levels down to the community).
AREA_LENGTHS = (6, 9, 12)
SUMS = {"total": Sum("total"), "due": Sum("due"), "closed": Sum("closed"),
        "on_time": Sum("on_time"), "hours_sum": Sum("hours_sum")}


def answers(user, area: str) -> bool:
    """Whether the rollup gives exactly the figures of ``area`` as ``user`` sees them."""
    if not area or len(area) > 12:
        return False
    return get_scope(user).covers(area, "events.view", department_bound=False)


def area_expression(length: int):
    """An area level (code length) of the rollup's community codes."""
    return Substr("area_code", 1, length) if length < 12 else F("area_code")


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_serve(area: str, fine: bool) -> bool:
    """Whether month rows (per street) can answer: the area is a street or larger and the
    figures are not broken down by community (``fine``)."""
    return len(area) <= 9 and not fine


def range_q(start: dt.date, end: dt.date, months: bool = True) -> Q:
    """The rollup rows of the local days ``start``..``end`` (inclusive): month rows for the
    whole months inside, day rows for the days before and after them (``months=False``:
    day rows only)."""
    if not months:
        return Q(grain=DAY, day__gte=start, day__lte=end)
    first = start if start.day == 1 else _next_month(start)
    after = first
    while _next_month(after) - dt.timedelta(days=1) <= end:
        after = _next_month(after)
    if after == first:  # no whole month inside
        return Q(grain=DAY, day__gte=start, day__lte=end)
    q = Q(grain=MONTH, day__gte=first, day__lt=after)
    if start < first:
        q |= Q(grain=DAY, day__gte=start, day__lt=first)
    if after <= end:
        q |= Q(grain=DAY, day__gte=after, day__lte=end)
    return q


def rows(area: str, ranges: list[tuple[dt.date, dt.date]], fields: dict, fine: bool):
    """The sums of the rollup of ``area`` grouped by ``fields`` (name → expression over the
    rollup) and by which of the non-overlapping ``ranges`` (inclusive local dates) the row
    falls in (``_slot``, its index): one query. ``fine``: grouped by community."""
    months = months_serve(area, fine)
    slot_q = [range_q(start, end, months) for start, end in ranges]
    slot = Case(*[When(q, then=Value(i)) for i, q in enumerate(slot_q)],
                output_field=IntegerField())
    return (EventRollup.objects.filter(area_code__startswith=area)
            .filter(functools.reduce(operator.or_, slot_q))
            .annotate(_slot=slot, **annotations(fields)).values(*fields, "_slot")
            .annotate(**SUMS).order_by())


def annotations(fields: dict) -> dict:
    """The expressions to annotate (a column grouped under its own name is not one)."""
    return {name: expression for name, expression in fields.items()
            if not (isinstance(expression, F) and expression.name == name)}


def daily(area: str, start: dt.date, end: dt.date, monthly: bool):
    """Sums per local day of ``start``..``end`` (``monthly``: whole months as one row dated
    the first of the month, for a trend by month): one query."""
    q = range_q(start, end, monthly and months_serve(area, False))
    return (EventRollup.objects.filter(area_code__startswith=area).filter(q)
            .values("day").annotate(**SUMS).order_by())


__all__ = ["AREA_LENGTHS", "DAY", "MONTH", "annotations", "answers", "area_expression",
           "daily", "months_serve", "range_q", "rows"]
