"""A step recorded as it happened has no import time; the history marker is read safely."""

import datetime as dt

import pytest

from gridgov.events import actions
from gridgov.events.trace import _history_at, timeline

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("changes, expected", [
    ({}, None),
    ({"history": [None, {"at": "2026-03-01T02:00:00+00:00"}]},
     dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)),
    ({"history": [None, {"at": "2026-03-01T02:00:00Z"}]},
     dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)),
    ({"history": [None, {"at": "2026-03-01T02:00:00"}]}, None),  # no zone: not trusted
    ({"history": [None, {"at": "not a time"}]}, None),
    ({"history": "2026-03-01"}, None),
])
def test_history_marker(changes, expected):
    assert _history_at(changes) == expected


def test_a_live_step_shows_its_record_time(grid_worker, gulou_grid):
    from gridgov.areas.geometry import area_shape

    point = area_shape(gulou_grid).representative_point()
    event = actions.report_event(
        actor=grid_worker, description="路灯不亮", lng=point.x, lat=point.y, source="grid_patrol")
    (entry,) = timeline(event)
    assert entry.recorded_at is None and entry.at is not None
