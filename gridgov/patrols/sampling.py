"""Which track points a patrol keeps, and how far they go (pure functions, no database).

The device already samples (a point when it moved 20 m or a minute passed); the server keeps a
point only when it adds something, so a track is small and its distance honest:

- a fix worse than ``MAX_ACCURACY_M`` (100 m) is dropped;
- a point closer than ``MIN_STEP_M`` (10 m) to the previous *kept* point is dropped, unless
  ``KEEP_EVERY_S`` (5 minutes) passed since it (a worker standing still still shows up);
- a point that would mean moving faster than ``MAX_SPEED_MS`` (30 m/s, 108 km/h) from the
  previous kept point is an impossible jump (a bad fix) and is dropped;
- points at or before the previous kept point's time are dropped: a batch sent again adds
  nothing twice (the device sends its batches in order, through the outbox).

The distance is the sum of the great-circle (haversine) steps between kept points.
"""

import math
from dataclasses import dataclass
from datetime import datetime

EARTH_RADIUS_M = 6371008.8
MAX_ACCURACY_M = 100.0
MIN_STEP_M = 10.0
KEEP_EVERY_S = 300.0
MAX_SPEED_MS = 30.0


@dataclass(frozen=True)
class Fix:
    """One position: when, where (WGS-84) and how precise (metres; None: unknown)."""

    at: datetime
    lng: float
    lat: float
    accuracy_m: float | None = None


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def sample(fixes, previous: Fix | None = None) -> tuple[list[Fix], float]:
    """The fixes to keep after ``previous`` (the last kept point, or None at the start) and
    the distance they add, in metres. ``fixes`` may come in any order."""
    kept: list[Fix] = []
    added = 0.0
    last = previous
    for fix in sorted(fixes, key=lambda f: f.at):
        if fix.accuracy_m is not None and fix.accuracy_m > MAX_ACCURACY_M:
            continue
        if last is None:
            kept.append(fix)
            last = fix
            continue
        seconds = (fix.at - last.at).total_seconds()
        if seconds <= 0:
            continue
        step = haversine_m(last.lng, last.lat, fix.lng, fix.lat)
        if step < MIN_STEP_M and seconds < KEEP_EVERY_S:
            continue
        if step / seconds > MAX_SPEED_MS:
            continue
        kept.append(fix)
        added += step
        last = fix
    return kept, added


def simplified_line(coords: list[tuple[float, float]], tolerance_m: float = 3.0):
    """The track as drawn: ``[(lng, lat), …]`` simplified (Douglas–Peucker, shapely) so a
    long patrol draws quickly; the ends are kept. Distances are never taken from it."""
    if len(coords) < 3:
        return list(coords)
    from shapely.geometry import LineString

    # Degrees of latitude: ~111 km; good enough for a drawing tolerance of a few metres.
    line = LineString(coords).simplify(tolerance_m / 111_000, preserve_topology=False)
    return [(round(x, 6), round(y, 6)) for x, y in line.coords]
