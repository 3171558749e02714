"""Who is on duty where (力量调度): grid workers with an active patrol and their latest point.

"On duty" means "has an active patrol". The latest kept track point is copied onto the patrol
by ``actions.add_points``, so this is one query, whatever the number of workers.
"""

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

from .choices import PatrolState
from .models import Patrol


@dataclass(frozen=True)
class OnDuty:
    """A grid worker on patrol and where they last were (WGS-84)."""

    user_id: int
    name: str
    lng: float
    lat: float
    at: dt.datetime
    patrol_id: int
    grid_code: str


def on_duty(user=None, *, area_codes=None, max_age_minutes=30) -> list[OnDuty]:
    """Every grid worker with an active patrol whose latest point is at most
    ``max_age_minutes`` old; inside ``area_codes`` when given (prefix match: a street's code
    covers its grids) and inside what ``user`` may see when given (``patrols.view``). Nearest
    in time first. One query."""
    since = timezone.now() - dt.timedelta(minutes=max_age_minutes)
    qs = Patrol.objects.all() if user is None else Patrol.objects.restrict(user, "view")
    qs = qs.filter(state=PatrolState.ACTIVE, last_at__gte=since, last_lng__isnull=False)
    if area_codes is not None:
        codes = [c for c in area_codes if c]
        if not codes:
            return []
        qs = qs.filter(reduce(or_, (Q(area_code__startswith=c) for c in codes)))
    rows = qs.order_by("-last_at", "id").values_list(
        "worker_id", "worker__real_name", "worker__username", "last_lng", "last_lat",
        "last_at", "id", "area_code")
    return [OnDuty(user_id=uid, name=real or username, lng=lng, lat=lat, at=at, patrol_id=pid,
                   grid_code=code)
            for uid, real, username, lng, lat, at, pid, code in rows]
