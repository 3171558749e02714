"""Demo patrols: three weeks of workday patrols of the demo grid workers, walked around their
grids, so the patrol list, the monthly totals and the assessment's 巡查时长 / 巡查里程 have data.

Through ``gridgov.patrols.actions.record_patrol`` (the system's verb for past patrols: sampled
and audited like any other). Idempotent: each patrol's client id is derived from the worker
and the day (uuid5), so a second run finds them all and writes nothing.
"""

import datetime as dt
import random
import uuid

import shapely.geometry
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.areas.models import Area

WORKERS = ("gw_gulou", "gw_gulou2", "gw_gaoqiao")
DAYS = 21
NAMESPACE = uuid.UUID("6f1d4a52-3c1e-4f0b-9d7e-2a5b8c1e0f31")
STEP_S = 20  # a fix every 20 s at walking pace


def _ring(area, inset_m=25.0) -> list[tuple[float, float]]:
    """The grid's outline pulled inwards a little: the walk along its streets."""
    shape = shapely.geometry.shape(area.geometry)
    if shape.geom_type == "MultiPolygon":
        shape = max(shape.geoms, key=lambda g: g.area)
    inner = shape.buffer(-inset_m / 111_000)
    if inner.is_empty or inner.geom_type != "Polygon":
        inner = shape
    return list(inner.exterior.coords)


def _walk(ring, start: dt.datetime, minutes: int, rng: random.Random):
    """Fixes along ``ring`` (looping) at about 1.2 m/s for ``minutes``."""
    from gridgov.patrols.sampling import Fix, haversine_m

    out, at, end = [], start, start + dt.timedelta(minutes=minutes)
    segment, offset = 0, 0.0
    speed = rng.uniform(1.0, 1.4)
    while at <= end:
        a, b = ring[segment % (len(ring) - 1)], ring[segment % (len(ring) - 1) + 1]
        length = max(haversine_m(a[0], a[1], b[0], b[1]), 0.1)
        t = min(offset / length, 1.0)
        lng, lat = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        jitter = 2.0 / 111_000
        out.append(Fix(at, lng + rng.uniform(-jitter, jitter), lat + rng.uniform(-jitter, jitter),
                       float(rng.choice((5, 8, 10, 12, 15)))))
        at += dt.timedelta(seconds=STEP_S)
        offset += speed * STEP_S
        while offset >= length:
            offset -= length
            segment += 1
            a, b = ring[segment % (len(ring) - 1)], ring[segment % (len(ring) - 1) + 1]
            length = max(haversine_m(a[0], a[1], b[0], b[1]), 0.1)
    return out


def load(*, stdout=None, now=None) -> dict:
    """Create the demo patrols that are missing; idempotent. Returns counts."""
    from gridgov.core.access import get_scope
    from gridgov.patrols.actions import record_patrol
    from gridgov.patrols.models import Patrol
    from gridgov.patrols.permissions import PATROL

    now = timezone.localtime(now or timezone.now())
    created = 0
    for username in WORKERS:
        worker = User.objects.filter(username=username).first()
        scope = get_scope(worker) if worker else None
        if scope is None or not scope.can(PATROL):
            continue
        codes = sorted(scope.codes_for(PATROL), key=len, reverse=True)
        area = Area.objects.filter(code=codes[0]).first() if codes else None
        if area is None or not area.geometry:
            continue
        ring = _ring(area)
        known = set(Patrol.objects.filter(worker=worker).values_list("client_id", flat=True))
        for back in range(DAYS, 0, -1):
            day = now.date() - dt.timedelta(days=back)
            if day.weekday() >= 5:
                continue
            rng = random.Random(f"{username}-{day.isoformat()}")
            for slot, hour in enumerate((9, 14) if rng.random() < 0.4 else (9,)):
                client_id = uuid.uuid5(NAMESPACE, f"{username}-{day.isoformat()}-{slot}")
                if client_id in known:
                    continue
                start = timezone.make_aware(dt.datetime.combine(
                    day, dt.time(hour, rng.randrange(0, 40))))
                fixes = _walk(ring, start, rng.randrange(50, 120), rng)
                record_patrol(worker, client_id=client_id, fixes=fixes, actor=None)
                created += 1
    if stdout is not None:
        stdout.write(f"巡查 patrols: {created} created\n")
    return {"patrols": created}
