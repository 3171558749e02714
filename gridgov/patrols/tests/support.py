"""Helpers of the patrol tests: a point inside a grid and tracks of known length."""

import datetime as dt
import math
import uuid

import shapely.geometry
from django.utils import timezone

from gridgov.patrols import actions

METRES_PER_DEG_LAT = 111_194.93  # on the haversine sphere (R = 6371008.8 m)


def inside(area) -> tuple[float, float]:
    p = shapely.geometry.shape(area.geometry).representative_point()
    return p.x, p.y


def north(point, metres):
    lng, lat = point
    return lng, lat + metres / METRES_PER_DEG_LAT


def east(point, metres):
    lng, lat = point
    return lng + metres / (METRES_PER_DEG_LAT * math.cos(math.radians(lat))), lat


def ms(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


def street_walk(origin, start, *, metres=1000, step=25, seconds=10, accuracy=8):
    """Points ``[lng, lat, accuracy, unix_ms]`` walking ``metres`` due north from ``origin``,
    one every ``step`` metres and ``seconds`` seconds, the first at ``start``."""
    out = []
    for n in range(metres // step + 1):
        lng, lat = north(origin, n * step)
        out.append([lng, lat, accuracy, ms(start + dt.timedelta(seconds=n * seconds))])
    return out


def as_points(rows):
    """API rows → the action's ``(lng, lat, accuracy, at)`` tuples."""
    return [(lng, lat, acc, dt.datetime.fromtimestamp(t / 1000, tz=dt.UTC))
            for lng, lat, acc, t in rows]


def start(worker, grid, *, ago=dt.timedelta(minutes=30), client_id=None):
    origin = inside(grid)
    at = (timezone.now() - ago).replace(microsecond=0)
    patrol = actions.start_patrol(client_id=client_id or uuid.uuid4(), started_at=at,
                                  lng=origin[0], lat=origin[1], accuracy_m=5, actor=worker)
    return patrol, origin, at
