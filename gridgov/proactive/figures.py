"""Figures of proactive services for the statistics and assessment pages (contract with
``gridgov.needs``): per child area of an area, inside the caller's scope.

``services_by_area(user, parent_code, period_start, period_end)`` → ``{child_code: {
"tasks_opened", "tasks_closed_on_time", "benefits_started", "benefits_without_application"}}``
for the areas one level below ``parent_code`` (a district's streets, a street's communities,
a community's grids); dates inclusive. Four grouped queries, whatever the number of areas.
"""

import datetime as dt

from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.utils import timezone

from .choices import TaskState
from .models import Benefit, ServiceTask

CHILD_LENGTH = {6: 9, 9: 12, 12: 15}
KEYS = ("tasks_opened", "tasks_closed_on_time", "benefits_started",
        "benefits_without_application")


def _bounds(start: dt.date, end: dt.date):
    zone = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time(), tzinfo=zone),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone))


def services_by_area(user, parent_code: str, period_start: dt.date,
                     period_end: dt.date) -> dict[str, dict]:
    """Per child area: tasks opened and closed on time (done by the deadline) in the
    period, benefits started in it and those of them granted without application."""
    from gridgov.areas.models import Area

    length = CHILD_LENGTH.get(len(parent_code))
    if length is None:
        return {}
    children = list(Area.objects.filter(parent__code=parent_code).order_by("code")
                    .values_list("code", flat=True))
    out = {code: dict.fromkeys(KEYS, 0) for code in children}
    if not children:
        return out
    low, high = _bounds(period_start, period_end)
    child = Substr("area_code", 1, length)
    tasks = (ServiceTask.objects.restrict(user, "view")
             .filter(area_code__startswith=parent_code).annotate(child=child)
             .values("child"))
    opened = tasks.filter(created_at__gte=low, created_at__lt=high).annotate(n=Count("id"))
    on_time = (tasks.filter(state=TaskState.DONE, closed_at__gte=low, closed_at__lt=high)
               .filter(Q(due_at__isnull=True) | Q(closed_at__lte=F("due_at")))
               .annotate(n=Count("id")))
    benefits = (Benefit.objects.restrict(user, "view")
                .filter(area_code__startswith=parent_code, started_on__gte=period_start,
                        started_on__lte=period_end)
                .annotate(child=child).values("child")
                .annotate(n=Count("id"), free=Count("id", filter=Q(without_application=True))))
    for key, rows in (("tasks_opened", opened), ("tasks_closed_on_time", on_time)):
        for row in rows:
            if row["child"] in out:
                out[row["child"]][key] = row["n"]
    for row in benefits:
        if row["child"] in out:
            out[row["child"]]["benefits_started"] = row["n"]
            out[row["child"]]["benefits_without_application"] = row["free"]
    return out
