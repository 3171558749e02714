"""力量调度: who is on duty near a task, from the positions shared on patrol.

"On duty" is "has an active patrol" (``gridgov.patrols.positions.on_duty``, imported when
asked so the tasks app does not depend on the patrols app at import time). The distance is
the great-circle distance from the worker's latest track point to the task's point.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from gridgov.events.duplicates import haversine_m

STREET_CODE_LENGTH = 9
MAX_FIX_AGE_MINUTES = 30


@dataclass(frozen=True)
class Candidate:
    """A worker on duty with their distance to the task and the age of their last fix."""

    user_id: int
    name: str
    grid_code: str
    lng: float
    lat: float
    at: datetime
    distance_m: float

    @property
    def fix_age_minutes(self) -> int:
        return max(0, int((timezone.now() - self.at).total_seconds() // 60))


def street_code(area_code: str) -> str:
    """The street (街道/乡镇) an area code lies in."""
    return area_code[:STREET_CODE_LENGTH]


def on_duty(area_codes):
    """The grid workers with an active patrol inside ``area_codes``."""
    from gridgov.patrols.positions import on_duty as patrol_on_duty

    return patrol_on_duty(area_codes=list(area_codes), max_age_minutes=MAX_FIX_AGE_MINUTES)


def candidates(grid_code: str, point: tuple[float, float]) -> list[Candidate]:
    """Workers on duty in the street of ``grid_code``, nearest first."""
    lng, lat = point
    out = [Candidate(user_id=o.user_id, name=o.name, grid_code=o.grid_code, lng=o.lng,
                     lat=o.lat, at=o.at, distance_m=round(haversine_m(lng, lat, o.lng, o.lat), 1))
           for o in on_duty([street_code(grid_code)])]
    out.sort(key=lambda c: (c.distance_m, c.user_id))
    return out
