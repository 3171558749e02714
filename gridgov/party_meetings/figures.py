"""三会一课 figures by area for the statistics and assessment pages (contract of issue 14).

``meetings_by_area(user, parent_code, period_start, period_end)`` answers, for every child
area of ``parent_code`` (streets of the district, communities of a street, grids of a
community), over the organisations of the user's areas (``party_meetings.view``):

- ``required``: meetings required in the period: for each organisation × required kind,
  the whole months of the period (calendar months touched, inclusive) // every N months;
- ``held_on_time``: meetings held in the period, counted per organisation × kind up to what
  was required (a second 党课 in a quarter does not make up for a missing 支委会);
- ``overdue_orgs``: organisations overdue at least one kind at the end of the period (or
  today, when the period has not ended), by the rule of ``overdue.py``.

An organisation counts in the child area its area code lies in; one above the child level
(the street's 党工委 when the children are communities) counts in none. Five queries.
"""

import datetime as dt

from django.db.models import Count
from django.utils import timezone

from .choices import MeetingState
from .overdue import (
    due_date,
    last_held,
    organisations_for,
    required_kinds,
    requirement_table,
    start_of_day,
)

CHILD_LENGTH = {6: 9, 9: 12, 12: 15}


def months_in(period_start: dt.date, period_end: dt.date) -> int:
    """Calendar months the period touches (1 January – 31 March: 3)."""
    return max((period_end.year - period_start.year) * 12
               + period_end.month - period_start.month + 1, 0)


def meetings_by_area(user, parent_code, period_start, period_end) -> dict[str, dict]:
    from gridgov.areas.models import Area

    from .models import Meeting

    child_len = CHILD_LENGTH.get(len(parent_code))
    if child_len is None:
        return {}
    out = {code: {"required": 0, "held_on_time": 0, "overdue_orgs": 0}
           for code in Area.objects.filter(parent__code=parent_code)
           .values_list("code", flat=True)}
    org_qs = organisations_for(user, parent_code)
    orgs = [o for o in org_qs.only("pk", "kind", "area_code") if len(o.area_code) >= child_len]
    defaults, own = requirement_table()
    start, end = start_of_day(period_start), start_of_day(period_end + dt.timedelta(days=1))
    held = {(r["organisation_id"], r["kind"]): r["n"] for r in Meeting.objects.filter(
        state=MeetingState.HELD, organisation_id__in=org_qs.values("pk"),
        held_at__gte=start, held_at__lt=end).order_by()
        .values("organisation_id", "kind").annotate(n=Count("id"))}
    as_of = min(period_end, timezone.localdate())
    last = last_held(org_qs, until=start_of_day(as_of + dt.timedelta(days=1)))
    months = months_in(period_start, period_end)
    for org in orgs:
        row = out.setdefault(org.area_code[:child_len],
                             {"required": 0, "held_on_time": 0, "overdue_orgs": 0})
        overdue = False
        for kind, every in required_kinds(org, defaults, own).items():
            required = months // every
            row["required"] += required
            row["held_on_time"] += min(held.get((org.pk, kind), 0), required)
            when = last.get((org.pk, kind))
            due = due_date(timezone.localdate(when) if when else None, every, as_of)
            overdue = overdue or as_of > due
        row["overdue_orgs"] += int(overdue)
    return out
