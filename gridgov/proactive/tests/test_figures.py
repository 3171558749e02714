"""The figures for statistics: per child area, scoped, in a fixed number of queries."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.proactive import actions
from gridgov.proactive.figures import services_by_area

from .support import make_person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_services_by_area(gulou_grid, gulou_grid2, gulou_community, grid_worker, leader,
                          django_assert_max_num_queries):
    person = make_person(gulou_grid, "图表甲", born=dt.date(TODAY.year - 80, TODAY.month, 1))
    actions.start_benefit(person, kind="elderly_allowance", actor=None,
                          without_application=True)
    actions.start_benefit(make_person(gulou_grid2, "图表乙"), kind="pension", actor=None)
    on_time = actions.open_task(kind="inspection", title="图表准时", grid=gulou_grid,
                                subject="甲处", due_at=timezone.now() + dt.timedelta(days=1))
    actions.close_task(on_time, actor=grid_worker, note="已巡查")
    actions.open_task(kind="inspection", title="图表超期", grid=gulou_grid, subject="乙处",
                      due_at=timezone.now() - dt.timedelta(days=1))
    start, end = TODAY.replace(day=1), TODAY
    with django_assert_max_num_queries(5):
        figures = services_by_area(leader, gulou_community.code, start, end)
    one, two = figures[gulou_grid.code], figures[gulou_grid2.code]
    assert one["tasks_opened"] >= 2 and one["tasks_closed_on_time"] >= 1
    assert one["benefits_started"] >= 1 and one["benefits_without_application"] >= 1
    assert two["benefits_started"] >= 1 and two["benefits_without_application"] == 0
    # Scope: a grid worker of grid 1 sees nothing of grid 2 (the key stays, at zero).
    theirs = services_by_area(grid_worker, gulou_community.code, start, end)
    assert theirs[gulou_grid2.code]["benefits_started"] == 0
    assert theirs[gulou_grid.code]["tasks_opened"] == one["tasks_opened"]
    assert services_by_area(leader, gulou_grid.code, start, end) == {}
