"""首页 of a leader (and the command room): this month's figures of their own area, the five
worst units one level down by on-time rate, the ten most overdue cases, the links to the
statistics; the same numbers as the statistics' queries, in a fixed number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.events.choices import FINAL_STATES, State
from gridgov.events.models import Event
from gridgov.stats.aggregates import StatsQuery
from gridgov.stats.cube import dashboard_cube
from gridgov.stats.periods import MONTH, Period, local_zone
from gridgov.stats.tests.support import event

pytestmark = pytest.mark.django_db

XINGGANG, RONGJIANG = "330203005001", "330203005002"


@pytest.fixture
def month_events(db):
    """This month in 鼓楼 (on top of the demo history): in 荣江 10 due, 2 on time; in 兴港 4 due,
    4 on time; 3 of 荣江's open ones overdue (one supervised)."""
    now = timezone.now()
    start = Period.containing(MONTH, timezone.localdate(now, local_zone())).bounds()[0]
    grids = {a.code[:12]: a for a in Area.objects.filter(
        code__in=["330203005001001", "330203005002001"])}
    at = start + dt.timedelta(minutes=5)
    rows = []
    for i in range(10):
        if i < 2:
            rows.append(event(grids[RONGJIANG], at, closed_after=1))
        elif i < 5:
            rows.append(event(grids[RONGJIANG], at, state=State.DISPATCHED,
                              stage_deadline=now - dt.timedelta(hours=i)))
        else:
            rows.append(event(grids[RONGJIANG], at, closed_after=48))
    rows += [event(grids[XINGGANG], at, closed_after=1) for _ in range(4)]
    rows[2].supervised = True
    Event.objects.bulk_create(rows)
    return rows


def test_leader_home_opens_on_the_month(month_events, client_as, leader,
                                        django_assert_max_num_queries):
    client = client_as(leader)
    client.get(reverse("web:home"))
    with django_assert_max_num_queries(16):  # 13 measured
        response = client.get(reverse("web:home"))
    assert response.status_code == 200
    board = response.context["board"]
    # The same figures as the statistics' own queries over this month.
    query = StatsQuery(leader, "330203005", board["period"])
    cube = dashboard_cube(query, "community")
    cards = {c["key"]: c for c in board["cards"]}
    assert cards["total"]["value"] == cube.summary.cur.total
    assert cards["on_time_rate"]["value"] == cube.summary.cur.on_time_rate
    assert cards["closed_rate"]["vs_prev"] is None or isinstance(
        cards["closed_rate"]["vs_prev"], float)
    assert cards["overdue"]["value"] == query.events().overdue(query.now).count()
    assert cards["supervised"]["value"] == query.events().filter(supervised=True).exclude(
        state__in=FINAL_STATES).count()
    # Worst first: rates ascending, each the cube's.
    rates = [w["rate"] for w in board["worst"]]
    assert rates == sorted(rates) and len(rates) <= 5
    by_key = {r.key: r for r in cube.ranking}
    for w in board["worst"]:
        assert w["rate"] == by_key[w["key"]].cur.on_time_rate
        assert f"within={w['key']}" in w["late_url"] and "on_time=false" in w["late_url"]
    assert len(board["overdue"]) <= 10
    hours = [r["hours_late"] for r in board["overdue"]]
    assert hours == sorted(hours, reverse=True)
    html = response.content.decode()
    for name in ("stats:dashboard", "stats:screen", "stats:report"):
        assert reverse(name) in html
    assert "本月概况" in html and "按期结案率最低的社区(村)" in html


def test_board_hand_computed_month(month_events, client_as, leader, monkeypatch):
    """Only this fixture's rows in the month (the demo's history of this month set aside):
    荣江 2 on time of 10 due (20 %), 兴港 4 of 4 (100 %): 荣江 worst."""
    Event.objects.filter(area_code__startswith="330203005").exclude(
        pk__in=[e.pk for e in month_events]).update(
        created_at=timezone.now() - dt.timedelta(days=800))
    board = client_as(leader).get(reverse("web:home")).context["board"]
    cards = {c["key"]: c["value"] for c in board["cards"]}
    assert cards["total"] == 14
    assert cards["closed_rate"] == round(11 * 100 / 14, 2)  # 2 + 5 + 4 closed
    assert cards["on_time_rate"] == round(6 * 100 / 14, 2)
    assert [(w["key"], w["rate"]) for w in board["worst"]] == [(RONGJIANG, 20.0),
                                                               (XINGGANG, 100.0)]


def test_no_board_for_a_grid_worker(client_as, grid_worker):
    response = client_as(grid_worker).get(reverse("web:home"))
    assert response.status_code == 200 and response.context["board"] is None
    assert "本月概况" not in response.content.decode()


def test_district_leader_ranks_streets(client_as, district_leader):
    board = client_as(district_leader).get(reverse("web:home")).context["board"]
    assert board["level"].key == "street"
    assert all(len(w["key"]) == 9 for w in board["worst"])
