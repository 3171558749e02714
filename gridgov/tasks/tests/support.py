"""Helpers of the tasks tests: fake workers on duty, a task, a photo."""

import io
from dataclasses import dataclass
from datetime import datetime

import pytest
from django.utils import timezone

from gridgov.areas.models import Area

GRID1 = "330203005001001"
GRID2 = "330203005001002"


@dataclass(frozen=True)
class FakeOnDuty:
    """The shape of ``gridgov.patrols.positions.OnDuty``."""

    user_id: int
    name: str
    lng: float
    lat: float
    at: datetime
    patrol_id: int
    grid_code: str


def offset(point, metres_east):
    """A point ``metres_east`` east of ``point`` (near 30°N, good to a metre or so)."""
    lng, lat = point
    return lng + metres_east / 96_000.0, lat


def grid_point(code=GRID1):
    area = Area.objects.get(code=code)
    return area.centroid_lng, area.centroid_lat


@pytest.fixture
def on_duty(monkeypatch):
    """``on_duty(*entries)`` makes those (user, metres east of GRID1's centre or a (lng, lat)
    point) the workers on patrol; returns the list of area codes each call asked for."""
    calls = []

    def install(*entries):
        centre = grid_point()

        def fake(area_codes):
            calls.append(list(area_codes))
            out = []
            for user, where in entries:
                lng, lat = where if isinstance(where, tuple) else offset(centre, where)
                code = user.assignments.first().area.code
                if any(code.startswith(c) for c in area_codes):
                    out.append(FakeOnDuty(user.pk, str(user), lng, lat,
                                          timezone.now() - timezone.timedelta(minutes=3),
                                          user.pk * 10, code))
            return out

        monkeypatch.setattr("gridgov.tasks.dispatching.on_duty", fake)
        return calls

    return install


def jpeg(colour=(200, 30, 30), size=(64, 48)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def make_task(dispatcher, assignee, *, kind="collect", grid=GRID1, **kwargs):
    from gridgov.tasks import actions

    return actions.assign_task(kind=kind, title=kwargs.pop("title", "采集新住户信息"),
                               grid=Area.objects.get(code=grid), assignee=assignee,
                               actor=dispatcher, **kwargs)
