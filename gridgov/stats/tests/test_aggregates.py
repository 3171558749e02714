"""The figures against hand-computed answers (``support`` says how each was made), computed
by the database, and only over what the person may see."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.events.choices import State
from gridgov.events.models import Event
from gridgov.stats.aggregates import StatsQuery
from gridgov.stats.dimensions import DIMENSIONS
from gridgov.stats.periods import MONTH, QUARTER, WEEK, Period

from .support import GRID1, GRID2, GRID3, GULOU, KNOWN, build_known, event, local

pytestmark = pytest.mark.django_db

NOV = Period.containing(MONTH, dt.date(2019, 11, 15))


@pytest.fixture
def known(db):
    return build_known()


def test_summary_known_answers(known, leader):
    s = StatsQuery(leader, GULOU, NOV).summary()
    cur = s.cur
    assert (cur.total, cur.due, cur.closed, cur.on_time) == (982, 972, 911, 737)
    assert cur.closed_rate == KNOWN.closed_rate == 93.72
    assert cur.on_time_rate == KNOWN.on_time_rate == 75.82
    assert round(cur.hours, 2) == 13.82 and cur.hours_display == KNOWN.hours
    assert cur.overdue == KNOWN.overdue
    assert (s.prev.total, s.prev.closed, s.prev.on_time, s.prev.on_time_rate) == (
        500, 500, 500, 100.0)
    assert (s.ya.total, s.ya.closed, s.ya.on_time, s.ya.hours_display) == (400, 400, 0, 30.0)
    assert s.vs_prev() == KNOWN.vs_prev and s.vs_year() == KNOWN.vs_year


def test_street_leader_sees_only_the_street(known, leader, district_leader):
    assert StatsQuery(leader, "", NOV).summary().cur.total == 982
    # Asking for the district does not widen what a street leader reads.
    assert StatsQuery(leader, "330203", NOV).summary().cur.total == 982
    assert StatsQuery(leader, "330203001", NOV).summary().cur.total == 0
    assert StatsQuery(district_leader, "330203", NOV).summary().cur.total == 982 + 300
    streets = {r.key: r.cur.total
               for r in StatsQuery(leader, "", NOV).breakdown(DIMENSIONS["street"])}
    assert streets == {GULOU: 982}


def test_breakdown_by_area_levels(known, leader, district_leader):
    q = StatsQuery(leader, GULOU, NOV)
    communities = {r.key: (r.label, r.cur.total, r.prev.total, r.ya.total)
                   for r in q.breakdown(DIMENSIONS["community"])}
    assert communities == {GRID1[:12]: ("兴港社区", 800, 500, 400),
                           GRID3[:12]: ("荣江社区", 182, 0, 0)}
    grids = {r.key: r.cur.total for r in q.breakdown(DIMENSIONS["grid"])}
    assert grids == {GRID1: 600, GRID2: 200, GRID3: 182}
    # Grid 3 holds the last 71 due events (i 911..971 open, 972.. not due) and no closed ones.
    g3 = next(r for r in q.breakdown(DIMENSIONS["grid"]) if r.key == GRID3)
    assert (g3.cur.due, g3.cur.closed, g3.cur.overdue, g3.cur.closed_rate) == (172, 111, 20,
                                                                               64.53)
    streets = {r.key: r.cur.total for r in
               StatsQuery(district_leader, "330203", NOV).breakdown(DIMENSIONS["street"])}
    assert streets == {GULOU: 982, "330203001": 300}


def test_breakdown_by_class_source_state_department(known, leader):
    q = StatsQuery(leader, GULOU, NOV)
    majors = {r.key: (r.label, r.cur.total) for r in q.breakdown(DIMENSIONS["major"])}
    # i % 3 == 0 for i in 0..981: 328 街面秩序; 654 市容环境; October/2018 rows have no class.
    assert majors["05"] == ("街面秩序", 328) and majors["01"] == ("市容环境", 654)
    minors = {r.key: r.cur.total for r in q.breakdown(DIMENSIONS["minor"])}
    assert minors["0501"] == 328 and minors["0102"] == 654
    sources = {r.key: (str(r.label), r.cur.total) for r in q.breakdown(DIMENSIONS["source"])}
    assert sources["hotline_12345"] == ("12345热线", 246)  # i % 4 == 0: 246 of 982
    assert sources["citizen"][1] == 246 and sources["grid_patrol"][1] == 490
    states = {r.key: r.cur.total for r in q.breakdown(DIMENSIONS["state"])}
    assert states == {"closed": 911, "dispatched": 61, "void": 5, "merged": 3, "not_filed": 2}
    departments = {r.key: r.cur.total for r in q.breakdown(DIMENSIONS["department"])}
    assert departments[known["department"].code] == 982


def test_trend_by_day_with_the_month_boundary_in_local_time(known, leader):
    grid = known["grids"][GRID1]
    # 23:59 on 31 October (local) is October; 00:00 on 1 November is November, though both
    # are 31 October in UTC.
    Event.objects.bulk_create([event(grid, local(2019, 10, 31, 23, 59)),
                               event(grid, local(2019, 11, 1, 0, 0))])
    unit, points = StatsQuery(leader, GULOU, NOV).trend()
    assert unit == "day" and len(points) == 30
    assert sum(f.total for _b, f in points) == 983
    first = points[0]
    assert first[0].start == dt.date(2019, 11, 1)
    # i % 30 == 0 for i in 0..981 → 33 events on 1 November, plus the one at midnight.
    assert first[1].total == 34
    assert StatsQuery(leader, GULOU, NOV).summary().prev.total == 501


def test_trend_by_week_over_a_quarter(known, leader):
    quarter = Period.containing(QUARTER, dt.date(2019, 11, 1))
    unit, points = StatsQuery(leader, GULOU, quarter).trend()
    assert unit == WEEK
    assert points[0][0].start == dt.date(2019, 10, 1)  # clipped: the week began 30 Sep
    assert sum(f.total for _b, f in points) == 982 + 500
    # 4–10 November 2019 (Mon–Sun): days 4..10 of November.
    week = next(f for b, f in points if b.start == dt.date(2019, 11, 4))
    per_day = {d: sum(1 for i in range(982) if 1 + i % 30 == d) for d in range(1, 31)}
    assert week.total == sum(per_day[d] for d in range(4, 11))


def test_overdue_list_is_open_and_past_deadline(known, leader):
    q = StatsQuery(leader, GULOU, NOV)
    mine = [e for e in q.overdue(None) if e.number.startswith("T")]
    assert len(mine) == 20
    assert all(e.state == State.DISPATCHED and e.stage_deadline < timezone.now() for e in mine)


def test_repeated_places_by_address_and_distance(known, leader):
    grid = known["grids"][GRID2]
    rows = [event(grid, local(2019, 11, 3), address="鼓楼 公园路 1号"),
            event(grid, local(2019, 11, 4), address="鼓楼公园路1号"),
            event(grid, local(2019, 11, 5), address="鼓楼公园路1号"),
            event(grid, local(2019, 11, 6), address="鼓楼公园路 2号")]
    # Three reports within a few metres of each other (no address), in a far corner.
    rows += [event(grid, local(2019, 11, 7), lng=121.60001 + k * 0.00001, lat=29.80001)
             for k in range(3)]
    Event.objects.bulk_create(rows)
    places = StatsQuery(leader, GULOU, NOV).repeated_places()
    by_address = [p for p in places if p["basis"] == "address"]
    assert [(p["n"], p["lo"]) for p in by_address] == [(3, GRID2)]
    nearby = [p for p in places if p["basis"] == "nearby" and abs(p["lng"] - 121.60002) < 1e-4]
    assert [p["n"] for p in nearby] == [3]


def test_the_dashboard_cube_adds_up_to_the_separate_figures(known, leader, district_leader):
    from gridgov.stats.cube import dashboard_cube

    for user, area, level in ((leader, GULOU, "community"),
                              (district_leader, "330203", "street")):
        q = StatsQuery(user, area, NOV)
        cube = dashboard_cube(q, level)
        assert cube.summary.cur == q.summary().cur
        assert cube.summary.prev == q.summary().prev and cube.summary.ya == q.summary().ya
        for got, key in ((cube.ranking, level), (cube.majors, "major"),
                         (cube.sources, "source")):
            want = q.breakdown(DIMENSIONS[key])
            assert [(c.key, c.label, c.cur, c.prev, c.ya) for c in got] == [
                (c.key, c.label, c.cur, c.prev, c.ya) for c in want]
    assert dashboard_cube(StatsQuery(leader, GULOU, NOV), "community").summary.cur.hours_display \
        == KNOWN.hours


def test_a_year_whose_previous_period_is_the_same_period_last_year(known, leader):
    year = Period.containing("year", dt.date(2019, 6, 1))
    s = StatsQuery(leader, GULOU, year).summary()
    assert (s.cur.total, s.prev.total, s.ya.total) == (982 + 500, 400, 400)
    assert (s.prev.closed, s.ya.on_time) == (400, 0)


def test_a_custom_range_overlapping_its_year_ago_range(known, leader):
    # 2018-11-01 .. 2019-11-30 (395 days): last year's range 2017-11-01 .. 2018-11-30 shares
    # November 2018 with it, so the rows are counted in both (conditional aggregation).
    custom = Period("custom", dt.date(2018, 11, 1), dt.date(2019, 11, 30))
    s = StatsQuery(leader, GULOU, custom).summary()
    assert (s.cur.total, s.prev.total, s.ya.total) == (400 + 500 + 982, 0, 400)
    communities = {r.key: (r.cur.total, r.ya.total)
                   for r in StatsQuery(leader, GULOU, custom).breakdown(DIMENSIONS["community"])}
    assert communities == {GRID1[:12]: (800 + 500 + 400, 400), GRID3[:12]: (182, 0)}
