"""月度分析报告: the figures are the statistics' queries (hand-computed fixture of ``support``),
the summary is written from them, scope, bad input and a fixed number of queries."""

import datetime as dt

import pytest

from gridgov.stats.aggregates import StatsQuery
from gridgov.stats.dimensions import DIMENSIONS
from gridgov.stats.periods import MONTH, Period
from gridgov.stats.views.report import parse_month

from .support import GRID1, GRID3, GULOU, KNOWN, build_known

pytestmark = pytest.mark.django_db
URL = "/stats/report/"
NOV = {"month": "2019-11"}


@pytest.fixture
def known(db):
    return build_known()


def test_figures_and_summary(known, client_as, leader):
    response = client_as(leader).get(URL, NOV)
    assert response.status_code == 200
    report = response.context["report"]
    f = report["figures"]
    assert (f["total"], f["prev_total"], f["ya_total"]) == (KNOWN.total, KNOWN.prev_total,
                                                            KNOWN.ya_total)
    assert (f["vs_prev"], f["vs_year"]) == (KNOWN.vs_prev, KNOWN.vs_year)
    assert (f["due"], f["closed"], f["on_time"]) == (KNOWN.due, KNOWN.closed, KNOWN.on_time)
    assert (f["closed_rate"], f["on_time_rate"], f["hours"]) == (93.72, 75.82, 13.8)
    assert f["prev_on_time_rate"] == 100.0  # October: 500 of 500 on time
    assert (f["on_time_pp_prev"], f["on_time_pp_year"]) == (-24.18, 75.82)  # 2018: all late
    # The same as the statistics' own queries.
    query = StatsQuery(leader, GULOU, Period.containing(MONTH, dt.date(2019, 11, 1)))
    summary = query.summary()
    assert f["total"] == summary.cur.total and f["on_time_rate"] == summary.cur.on_time_rate
    ranking = {r["key"]: r for r in report["ranking"]}
    assert ranking[GRID1[:12]]["total"] == 800 and ranking[GRID3[:12]]["total"] == 182
    assert [r["key"] for r in report["ranking"]] == sorted(
        ranking, key=lambda k: -ranking[k]["on_time_rate"])
    majors = {m["label"]: m for m in report["majors"]}
    assert majors["街面秩序"]["total"] == 328 and majors["街面秩序"]["share"] == 33.4
    assert [p["label"] for p in report["platforms"]] == ["综合执法"]
    sources = {s["key"]: s["total"] for s in report["sources"]}
    assert sources == {"hotline_12345": 246, "citizen": 246, "grid_patrol": 490}
    assert report["grids"][0] == {**report["grids"][0], "key": GRID1, "total": 600}
    assert sum(report["chart"]["reported"]) == KNOWN.total
    assert len(report["chart"]["labels"]) == 30
    overdue_now = query.events().overdue(query.now).count()
    assert report["overdue_now"] == overdue_now
    text = "".join(report["summary"])
    assert "2019-11,鼓楼街道共受理事件982件" in text
    assert "环比上升96.4%(上期500件)" in text and "同比上升145.5%(去年同期400件)" in text
    assert "结案率93.72%" in text and "按期结案率75.82%,较上期下降24.18个百分点" in text
    assert "平均办结时长13.8小时" in text
    assert "事件最多的大类是市容环境(654件,占66.6%),其次是街面秩序(328件)" in text
    assert "主要来源为网格巡查,占49.9%" in text
    assert "上报最多的网格是" in text and "(600件)" in text
    assert f"共有{overdue_now}件事件超期未办结" in text
    html = response.content.decode()
    assert "月度分析报告" in html and "982" in html and "@page" not in html
    assert 'data-report-ranking' in html and "-24.18个百分点" in html


def test_summary_follows_the_numbers(known, client_as, leader):
    """October 2019 (500, all on time) against September (none): no 环比 sentence part."""
    text = "".join(client_as(leader).get(URL, {"month": "2019-10"}).context["report"][
        "summary"])
    assert "共受理事件500件" in text and "环比" not in text
    assert "按期结案率100.0%" in text


def test_bad_month_outside_area_and_permission(known, client_as, leader, grid_worker):
    client = client_as(leader)
    bad = client.get(URL, {"month": "2019-13"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.content.decode()
    assert client.get(URL, {**NOV, "area": "330203001"}).status_code == 404
    assert client.get(URL, {**NOV, "area": "330203005001"}).status_code == 200
    assert client_as(grid_worker).get(URL, NOV).status_code == 403


def test_default_month_is_the_last_whole_month():
    assert parse_month("", dt.date(2026, 12, 1)) == Period(MONTH, dt.date(2026, 11, 1),
                                                            dt.date(2026, 11, 30))
    assert parse_month("", dt.date(2027, 1, 15)).start == dt.date(2026, 12, 1)
    assert parse_month("2026-02", dt.date(2026, 12, 1)).end == dt.date(2026, 2, 28)
    assert parse_month("2026-2", dt.date(2026, 12, 1)) is None


def test_query_count(known, client_as, district_leader, django_assert_max_num_queries):
    client = client_as(district_leader)
    client.get(URL, NOV)
    with django_assert_max_num_queries(20):
        assert client.get(URL, NOV).status_code == 200
    assert DIMENSIONS["platform"].label == "基层治理平台"
