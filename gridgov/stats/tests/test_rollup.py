"""The figures read from the rollup equal the figures read from the events, for every
period kind (whole months, days at the ends, partial comparisons) and area level; the
rollup is read only where it answers exactly (an area inside the person's scope, down to the
community)."""

import datetime as dt

import pytest
from django.db.models import Q

from gridgov.stats import rollup
from gridgov.stats.aggregates import StatsQuery
from gridgov.stats.cube import dashboard_cube
from gridgov.stats.dimensions import DIMENSIONS, child_level
from gridgov.stats.periods import CUSTOM, MONTH, QUARTER, WEEK, YEAR, Period

from .support import GRID1, GRID3, GULOU, build_known

pytestmark = pytest.mark.django_db
D = dt.date
PERIODS = [
    Period.containing(MONTH, D(2019, 11, 15)),
    Period.containing(QUARTER, D(2019, 11, 15)),
    Period.containing(YEAR, D(2019, 11, 15)),
    Period.containing(WEEK, D(2019, 11, 13)),
    Period(CUSTOM, D(2019, 10, 20), D(2019, 11, 20)),  # days, no whole month
    Period(CUSTOM, D(2018, 10, 20), D(2019, 11, 10)),  # overlaps its year-ago range
    Period(CUSTOM, D(2019, 9, 20), D(2019, 12, 10)),  # days, two whole months, days
]
# The breakdowns the rollup answers (the others always read the events).
BREAKDOWNS = ("street", "community", "major", "source") + (
    ("platform",) if "platform" in DIMENSIONS else ())


@pytest.fixture
def known(db):
    return build_known()


def _figures(f):
    return (f.total, f.due, f.closed, f.on_time, f.overdue, round(f.hours_sum, 3))


def _compared(rows):
    return [(c.key, str(c.label), _figures(c.cur), _figures(c.prev), _figures(c.ya))
            for c in rows]


def _everything(query) -> dict:
    cube = dashboard_cube(query, child_level(query.area))
    unit, trend = query.trend()
    return {
        "summary": _compared([query.summary()]),
        **{key: _compared(query.breakdown(DIMENSIONS[key])) for key in BREAKDOWNS},
        "cube": (_compared([cube.summary]), _compared(cube.ranking), _compared(cube.majors),
                 _compared(cube.sources)),
        "trend": (unit, [(b, f.total, f.closed, f.on_time, round(f.hours_sum, 3))
                         for b, f in trend]),
    }


def test_the_rollup_gives_the_events_figures(known, leader, district_leader, monkeypatch):
    cases = [(leader, GULOU), (district_leader, "330203"), (leader, GRID1[:12])]
    from_rollup = {}
    for user, area in cases:
        for period in PERIODS:
            query = StatsQuery(user, area, period)
            assert query.from_rollup()
            from_rollup[(user.username, area, period)] = _everything(query)
    assert from_rollup[("leader_gulou", GULOU, PERIODS[0])]["summary"][0][2][:4] == (
        982, 972, 911, 737)
    monkeypatch.setattr(rollup, "answers", lambda user, area: False)
    for user, area in cases:
        for period in PERIODS:
            query = StatsQuery(user, area, period)
            assert not query.from_rollup()
            assert _everything(query) == from_rollup[(user.username, area, period)], (
                user.username, area, period)


def test_the_rollup_answers_only_inside_the_scope_and_down_to_the_community(
        known, leader, district_leader):
    nov = PERIODS[0]
    assert StatsQuery(leader, GULOU, nov).from_rollup()
    assert StatsQuery(leader, GRID3[:12], nov).from_rollup()
    assert not StatsQuery(leader, GRID3, nov).from_rollup()  # a grid: the events
    assert not StatsQuery(leader, "", nov).from_rollup()  # own reports elsewhere count too
    assert not StatsQuery(leader, "330203", nov).from_rollup()  # above the scope
    assert not StatsQuery(leader, "330203001", nov).from_rollup()  # another street
    # Outside the scope the events answer: nothing.
    assert StatsQuery(leader, "330203001", nov).summary().cur.total == 0


def test_a_period_reads_whole_months_and_the_days_at_its_ends():
    # By community: day rows only.
    assert rollup.range_q(D(2019, 9, 20), D(2019, 12, 10), months=False) == Q(
        grain="d", day__gte=D(2019, 9, 20), day__lte=D(2019, 12, 10))
    assert rollup.months_serve("330203", fine=False)
    assert not rollup.months_serve("330203", fine=True)
    assert not rollup.months_serve(GRID3[:12], fine=False)
    q = rollup.range_q(D(2019, 9, 20), D(2019, 12, 10))
    assert q == (Q(grain="m", day__gte=D(2019, 10, 1), day__lt=D(2019, 12, 1))
                 | Q(grain="d", day__gte=D(2019, 9, 20), day__lt=D(2019, 10, 1))
                 | Q(grain="d", day__gte=D(2019, 12, 1), day__lte=D(2019, 12, 10)))
    assert rollup.range_q(D(2019, 11, 1), D(2019, 11, 30)) == Q(
        grain="m", day__gte=D(2019, 11, 1), day__lt=D(2019, 12, 1))
    assert rollup.range_q(D(2019, 11, 2), D(2019, 11, 30)) == Q(
        grain="d", day__gte=D(2019, 11, 2), day__lte=D(2019, 11, 30))
