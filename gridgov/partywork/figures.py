"""党员联系户 and volunteer figures by area for the statistics and assessment pages (contract
of issue 14).

``contacts_by_area(user, parent_code, period_start, period_end)`` answers, for every child
area of ``parent_code`` (streets of the district, communities of a street, grids of a
community), over the rows inside the areas where the user holds ``partywork.view``:

- ``households``: households of the child area today (``households.py`` says what a
  household is);
- ``linked``: of those, the ones with an active link today (coverage = linked / households);
- ``contacts``: contacts logged in the period (local dates, both ends included);
- ``volunteer_hours``: service hours credited for activities that started in the period,
  counted where the member belongs (the sign-up's area code, their organisation's).

A row whose area code lies above the child level (a community's activity when the children
are grids) counts in none. Four queries.
"""

import datetime as dt

from django.db.models import Count, Sum
from django.db.models.functions import Substr

from gridgov.core.access import get_scope

from .households import active_link_exists, households
from .models import ContactLog, VolunteerSignup
from .permissions import VIEW

CHILD_LENGTH = {6: 9, 9: 12, 12: 15}


def _day_start(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _grouped(qs, child_len, **aggregate) -> dict:
    rows = (qs.order_by().annotate(child=Substr("area_code", 1, child_len)).values("child")
            .annotate(**aggregate))
    key = next(iter(aggregate))
    return {r["child"]: r[key] for r in rows}


def contacts_by_area(user, parent_code, period_start, period_end) -> dict[str, dict]:
    from gridgov.areas.models import Area

    child_len = CHILD_LENGTH.get(len(parent_code))
    if child_len is None:
        return {}
    out = {code: {"households": 0, "linked": 0, "contacts": 0, "volunteer_hours": 0.0}
           for code in Area.objects.filter(parent__code=parent_code)
           .values_list("code", flat=True)}
    scope = get_scope(user)
    if scope is None or not scope.can(VIEW):
        return out
    area = scope.area_q("area_code", VIEW)
    inside = {"area_code__startswith": parent_code}
    start, end = _day_start(period_start), _day_start(period_end + dt.timedelta(days=1))
    homes = households(area).filter(**inside)
    counts = (homes.order_by().annotate(child=Substr("area_code", 1, child_len),
                                        linked=active_link_exists())
              .values("child", "linked").annotate(n=Count("pk")))
    contacts = _grouped(ContactLog.objects.filter(area).filter(
        **inside, contacted_at__gte=start, contacted_at__lt=end), child_len, n=Count("pk"))
    hours = _grouped(VolunteerSignup.objects.filter(area).filter(
        **inside, hours__gt=0, activity__starts_at__gte=start, activity__starts_at__lt=end),
        child_len, h=Sum("hours"))
    for row in counts:
        code = row["child"]
        if len(code) != child_len:
            continue
        figures = out.setdefault(code, {"households": 0, "linked": 0, "contacts": 0,
                                        "volunteer_hours": 0.0})
        figures["households"] += row["n"]
        if row["linked"]:
            figures["linked"] += row["n"]
    for code, n in contacts.items():
        if len(code) == child_len and code in out:
            out[code]["contacts"] = n
    for code, h in hours.items():
        if len(code) == child_len and code in out:
            out[code]["volunteer_hours"] = float(h or 0)
    return out
