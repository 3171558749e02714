"""What the pages read about patrols: events found on a patrol, today's patrols, totals.

Events found on a patrol are computed, not stored: the events the worker reported
(``reporter_user``) whose ``observed_at`` (when the worker saw the problem, from the device),
else ``created_at``, falls inside the patrol's time (an active patrol: until now).
"""

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils import timezone

from gridgov.events.models import Event

from .actions import seen_at
from .choices import PatrolState
from .models import Patrol


def events_found(patrol: Patrol, user=None):
    """The events ``patrol``'s worker found on it (those ``user`` may see, when given),
    earliest first, annotated with ``seen`` (when seen)."""
    end = patrol.ended_at or timezone.now()
    qs = Event.objects.all() if user is None else Event.objects.restrict(user, "view")
    return (qs.filter(reporter_user_id=patrol.worker_id)
            .annotate(seen=seen_at())
            .filter(seen__gte=patrol.started_at, seen__lte=end)
            .order_by("seen", "id"))


def found_counts(patrols, user=None) -> dict[int, int]:
    """How many events each of ``patrols`` found (one query for the lot)."""
    patrols = list(patrols)
    if not patrols:
        return {}
    now = timezone.now()
    qs = Event.objects.all() if user is None else Event.objects.restrict(user, "view")
    cond = Q()
    for p in patrols:
        cond |= Q(reporter_user_id=p.worker_id, seen__gte=p.started_at,
                  seen__lte=p.ended_at or now)
    rows = (qs.filter(reporter_user_id__in={p.worker_id for p in patrols})
            .annotate(seen=seen_at()).filter(cond)
            .values_list("reporter_user_id", "seen"))
    out = {p.pk: 0 for p in patrols}
    for worker_id, seen in rows:
        for p in patrols:
            if p.worker_id == worker_id and p.started_at <= seen <= (p.ended_at or now):
                out[p.pk] += 1
    return out


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def month_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = day.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return (timezone.make_aware(dt.datetime.combine(first, dt.time.min)),
            timezone.make_aware(dt.datetime.combine(nxt, dt.time.min)))


def totals(qs, start, end):
    """Ended patrols of ``qs`` started in [start, end), per worker: count, seconds, metres
    (one grouped query), most time first."""
    return list(qs.filter(state=PatrolState.ENDED, started_at__gte=start, started_at__lt=end)
                .values("worker_id", "worker__real_name", "worker__username")
                .annotate(n=Count("id"), seconds=Sum("duration_s"), metres=Sum("distance_m"))
                .order_by("-seconds", "worker_id"))


def worker_totals(worker_ids, start, end) -> dict[int, dict]:
    """Hours and kilometres patrolled by each worker over ended patrols started in
    [start, end) (one grouped query): the assessment's 巡查时长 and 巡查里程."""
    out = {}
    rows = (Patrol.objects.filter(worker_id__in=list(worker_ids), state=PatrolState.ENDED,
                                  started_at__gte=start, started_at__lt=end)
            .values("worker_id").annotate(seconds=Sum("duration_s"), metres=Sum("distance_m"))
            .order_by())
    for row in rows:
        out[row["worker_id"]] = {"patrol_hours": round((row["seconds"] or 0) / 3600, 2),
                                 "patrol_km": round((row["metres"] or 0) / 1000, 2)}
    return out
