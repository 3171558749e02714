"""Who is on duty where and the events found on a patrol."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.events.actions import report_event
from gridgov.patrols import actions, queries
from gridgov.patrols.positions import OnDuty, on_duty

from .support import as_points, east, start, street_walk

pytestmark = pytest.mark.django_db


def test_on_duty_gives_the_latest_point_in_one_query(grid_worker, grid_worker2, gulou_grid,
                                                     gulou_grid2,
                                                     django_assert_num_queries):
    patrol, origin, at = start(grid_worker, gulou_grid, ago=dt.timedelta(minutes=10))
    rows = street_walk(origin, at + dt.timedelta(seconds=10), metres=200)
    actions.add_points(patrol, points=as_points(rows), actor=grid_worker)
    other, _, _ = start(grid_worker2, gulou_grid2, ago=dt.timedelta(minutes=5))
    with django_assert_num_queries(1):
        duty = on_duty()
    mine = next(d for d in duty if d.user_id == grid_worker.pk)
    assert isinstance(mine, OnDuty)
    assert mine == OnDuty(user_id=grid_worker.pk, name=grid_worker.real_name,
                          lng=rows[-1][0], lat=rows[-1][1],
                          at=at + dt.timedelta(seconds=90), patrol_id=patrol.pk,
                          grid_code=gulou_grid.code)
    assert {d.user_id for d in duty} == {grid_worker.pk, grid_worker2.pk}
    # a street's code covers its grids; a grid only itself
    assert {d.user_id for d in on_duty(area_codes=["330203005"])} == {
        grid_worker.pk, grid_worker2.pk}
    assert [d.user_id for d in on_duty(area_codes=[gulou_grid2.code])] == [grid_worker2.pk]
    assert on_duty(area_codes=["330203001"]) == []
    assert on_duty(area_codes=[]) == []


def test_on_duty_is_fresh_and_active_only(grid_worker, grid_worker2, gulou_grid, gulou_grid2):
    stale, _, _ = start(grid_worker, gulou_grid, ago=dt.timedelta(minutes=45))
    fresh, _, _ = start(grid_worker2, gulou_grid2, ago=dt.timedelta(minutes=5))
    assert [d.user_id for d in on_duty()] == [grid_worker2.pk]
    assert {d.user_id for d in on_duty(max_age_minutes=60)} == {grid_worker.pk,
                                                               grid_worker2.pk}
    actions.stop_patrol(fresh, actor=grid_worker2)
    assert on_duty() == []


def test_on_duty_within_what_the_viewer_may_see(grid_worker, gulou_grid, dispatcher,
                                                grid_worker2, leader, dept_handler):
    start(grid_worker, gulou_grid, ago=dt.timedelta(minutes=5))
    assert [d.user_id for d in on_duty(dispatcher)] == [grid_worker.pk]
    assert [d.user_id for d in on_duty(leader)] == [grid_worker.pk]
    assert on_duty(dept_handler) == []
    # a worker sees themself, not another worker
    assert on_duty(grid_worker2) == []
    assert [d.user_id for d in on_duty(grid_worker)] == [grid_worker.pk]


def _report(worker, grid, point, **kwargs):
    return report_event(source="grid_patrol", description="巡查发现人行道上有暴露垃圾",
                        lng=point[0], lat=point[1], actor=worker, category="0102", **kwargs)


def test_events_found_on_the_patrol(grid_worker, gulou_grid, grid_worker2):
    patrol, origin, at = start(grid_worker, gulou_grid, ago=dt.timedelta(minutes=30))
    during = _report(grid_worker, gulou_grid, east(origin, 20))
    seen_before = _report(grid_worker, gulou_grid, east(origin, 30),
                          observed_at=at - dt.timedelta(minutes=5))
    seen_during = _report(grid_worker, gulou_grid, east(origin, 40),
                          observed_at=at + dt.timedelta(minutes=3))
    someone_else = _report(grid_worker2, gulou_grid, east(origin, 50))
    ours = {during.pk, seen_before.pk, seen_during.pk, someone_else.pk}
    # (the demo district's own reports of this worker, loaded minutes ago, count too)
    found = [e.pk for e in queries.events_found(patrol)]
    assert [pk for pk in found if pk in ours] == [seen_during.pk, during.pk]
    patrol = actions.stop_patrol(patrol, actor=grid_worker)
    assert queries.found_counts([patrol]) == {patrol.pk: len(found)}
    later = _report(grid_worker, gulou_grid, east(origin, 60))
    assert later.pk not in {e.pk for e in queries.events_found(patrol)}
    assert queries.found_counts([patrol]) == {patrol.pk: len(found)}


def test_monthly_totals_per_worker(grid_worker, gulou_grid):
    from gridgov.patrols.models import Patrol

    for minutes in (40, 20):
        patrol, origin, at = start(grid_worker, gulou_grid, ago=dt.timedelta(minutes=minutes))
        rows = street_walk(origin, at + dt.timedelta(seconds=10), metres=500)
        actions.add_points(patrol, points=as_points(rows), actor=grid_worker)
        actions.stop_patrol(patrol, ended_at=at + dt.timedelta(minutes=15), actor=grid_worker)
    start(grid_worker, gulou_grid, ago=dt.timedelta(minutes=5))  # active: not counted
    begin, end = queries.month_bounds(timezone.localdate())
    rows = queries.totals(Patrol.objects.all(), begin, end)
    mine = next(r for r in rows if r["worker_id"] == grid_worker.pk)
    assert mine["n"] == 2 and mine["seconds"] == 1800
    assert mine["metres"] == pytest.approx(1000, abs=1)
    assert queries.worker_totals([grid_worker.pk], begin, end) == {
        grid_worker.pk: {"patrol_hours": 0.5, "patrol_km": 1.0}}
