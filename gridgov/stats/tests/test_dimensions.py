"""The platform (基层治理平台) dimension: events by the platform of their major class, as a
table, a drill-down (when the event search has the filter) and an Excel export."""

import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.urls import reverse

from gridgov.events.models import Event, MinorCategory
from gridgov.stats.aggregates import StatsQuery
from gridgov.stats.dimensions import DIMENSIONS, search_params
from gridgov.stats.periods import MONTH, Period

from .support import GRID1, GULOU, NOV, build_known, event, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(db):
    """The fixture of ``support`` (982 in 鼓楼 in November 2019, classes 0102 and 0501: both
    综合执法; October's 500 and November 2018's 400 without a class) plus 7 邻里纠纷 (综治工作)
    in November and 3 in October."""
    data = build_known()
    grid = data["grids"][GRID1]
    dispute = MinorCategory.objects.get(code="1101")
    rows = [event(grid, local(2019, 11, 2 + i), category=dispute) for i in range(7)]
    rows += [event(grid, local(2019, 10, 2 + i), category=dispute) for i in range(3)]
    Event.objects.bulk_create(rows)
    return data


def test_events_by_platform(known, leader):
    query = StatsQuery(leader, GULOU, Period.containing(MONTH, dt.date(2019, 11, 15)))
    rows = {r.key: r for r in query.breakdown(DIMENSIONS["platform"])}
    assert set(rows) == {"ZHZF", "ZZ", ""}
    assert rows["ZHZF"].label == "综合执法" and rows["ZZ"].label == "综治工作"
    assert (rows["ZHZF"].cur.total, rows["ZHZF"].prev.total) == (982, 0)
    assert (rows["ZHZF"].cur.closed, rows["ZHZF"].cur.on_time_rate) == (911, 75.82)
    assert (rows["ZZ"].cur.total, rows["ZZ"].prev.total, rows["ZZ"].vs_prev()) == (7, 3, 133.3)
    assert (rows[""].label, rows[""].prev.total, rows[""].ya.total) == ("(未分类)", 500, 400)


def test_platform_table_drill_down_and_export(known, client_as, leader,
                                              django_assert_max_num_queries):
    client = client_as(leader)
    url = reverse("stats:table", args=["platform"])
    client.get(url, NOV)
    with django_assert_max_num_queries(9):  # as every table: none more with more data
        page = client.get(url, NOV)
    assert page.status_code == 200
    html = page.content.decode()
    assert "基层治理平台" in html and "综治工作" in html
    rows = {r["key"]: r for r in page.context["rows"]}
    assert [c["value"] for c in rows["ZZ"]["cells"][:5]] == [7, 3, 133.3, 0, None]
    total = rows["ZZ"]["cells"][0]
    if "platform" in search_params():
        # The search selects a platform's cases: the link opens exactly the 7.
        assert parse_qs(urlsplit(total["url"]).query)["platform"] == ["ZZ"]
        listing = client.get(total["url"])
        assert listing.status_code == 200
    else:
        # No such filter yet: no link that would list every case of the street instead.
        assert total["url"] is None
    export = client.get(url, {**NOV, "export": "xlsx"})
    sheet = list(openpyxl.load_workbook(io.BytesIO(export.content)).active
                 .iter_rows(values_only=True))
    assert sheet[0][:3] == ("基层治理平台", "编码", "上报数")
    assert [list(r) for r in sheet[1:]] == [
        [r["label"], r["key"] or None] + [c["value"] for c in r["cells"]]  # "" is a blank cell
        for r in page.context["rows"]]


def test_platform_scope(known, client_as, leader):
    """A street leader's platform figures hold the street only (南门's 300 left out)."""
    page = client_as(leader).get(reverse("stats:table", args=["platform"]), NOV)
    assert sum(r["cells"][0]["value"] for r in page.context["rows"]) == 982 + 7
