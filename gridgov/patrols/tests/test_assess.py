"""The assessment's worker-level patrol indicators: 巡查时长 (hours) and 巡查里程 (km) per period,
over ended patrols only."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.assess import indicators as ind
from gridgov.patrols import actions
from gridgov.stats.periods import MONTH, Period

from .support import as_points, start, street_walk

pytestmark = pytest.mark.django_db


def test_patrol_hours_and_km_of_the_month(grid_worker, grid_worker2, gulou_grid, gulou_grid2):
    for minutes, metres in ((90, 1000), (50, 1500)):
        patrol, origin, at = start(grid_worker, gulou_grid, ago=dt.timedelta(minutes=minutes))
        rows = street_walk(origin, at + dt.timedelta(seconds=10), metres=metres)
        actions.add_points(patrol, points=as_points(rows), actor=grid_worker)
        actions.stop_patrol(patrol, ended_at=at + dt.timedelta(minutes=30), actor=grid_worker)
    start(grid_worker2, gulou_grid2, ago=dt.timedelta(minutes=10))  # still active: not counted
    month = Period.containing(MONTH, timezone.localdate())
    figures = ind.patrol_workload([str(grid_worker.pk), str(grid_worker2.pk)], month)
    assert figures == {str(grid_worker.pk): {"patrol_hours": 1.0, "patrol_km": 2.5},
                       str(grid_worker2.pk): {"patrol_hours": 0.0, "patrol_km": 0.0}}
    last_month = Period.containing(MONTH, timezone.localdate().replace(day=1)
                                   - dt.timedelta(days=1))
    assert ind.patrol_workload([str(grid_worker.pk)], last_month)[str(grid_worker.pk)] == {
        "patrol_hours": 0.0, "patrol_km": 0.0}
    assert ind.patrol_workload([], month) == {}
    assert [str(i.label) for i in ind.PATROL] == ["巡查时长", "巡查里程"]
