"""热词分析: tokenisation with the user dictionary, counts on a hand-built fixture (top terms,
rising terms against the previous period), scope, drill-down counts, the page's queries and
bad input.

The fixture (November 2019, previous period October 2019, far from the demo's history):

鼓楼街道, November:
- 12 × FLY in 兴港社区第1网格 (+ 2 作废, 1 已合并 and 1 待审核 with the same text: not
  counted);
- 8 × STALL in 荣江社区第1网格, 5 of them 12345 hotline work orders;
- 3 × NOISE and 4 × PROPERTY in 兴港社区第1网格 (one PROPERTY at 1 November 00:00);
鼓楼街道, October: 2 × FLY, 10 × NOISE, 1 × PROPERTY (at 31 October 23:59);
南门街道, November: 6 × FUME (outside the 鼓楼 leader's scope).

The terms of each text are asserted first (``TEXTS``), so every expected count below is the
number of cases of the texts holding the term.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from gridgov.areas.models import Area
from gridgov.events.choices import Source, State
from gridgov.events.models import Event
from gridgov.stats.keywords import query as kq
from gridgov.stats.keywords import tokenize
from gridgov.stats.keywords.index import index_events
from gridgov.stats.models import EventTerm

from .support import GRID1, GRID3, NANMEN_GRID, NOV, event, local

pytestmark = pytest.mark.django_db

FLY = "鼓楼街道兴港社区居民反映,楼道里有人飞线充电,存在安全隐患,希望有关部门尽快处理。"
STALL = "荣江社区菜场门口占道经营,晚上噪音扰民严重。"
NOISE = "夜间噪音扰民,希望尽快处理。"
PROPERTY = "小区物业不管停车问题。"
FUME = "南门街道饭店油烟扰民。"
TEXTS = {
    FLY: ["鼓楼街道", "兴港社区", "楼道", "飞线充电", "安全隐患"],
    STALL: ["荣江社区", "菜场", "占道经营", "噪音扰民"],
    NOISE: ["噪音扰民"],
    PROPERTY: ["物业", "不管", "停车"],
    FUME: ["南门街道", "饭店", "油烟", "扰民"],
}
# term: (November, October) for the 鼓楼 leader, all channels
GULOU_COUNTS = {
    "鼓楼街道": (12, 2), "兴港社区": (12, 2), "楼道": (12, 2), "飞线充电": (12, 2),
    "安全隐患": (12, 2), "噪音扰民": (11, 10), "荣江社区": (8, 0), "菜场": (8, 0),
    "占道经营": (8, 0), "物业": (4, 1), "不管": (4, 1), "停车": (4, 1),
}
# rising: ≥ 5 cases, ≥ 3 more, ≥ 1.5 × before; biggest increase first, then the term
RISING = ["兴港社区", "安全隐患", "楼道", "飞线充电", "鼓楼街道", "占道经营", "荣江社区", "菜场"]


@pytest.fixture(autouse=True)
def _fresh_tokenizer():
    # Each test's dictionary edits roll back with its transaction; the process's cached
    # tokenizer must not outlive them.
    tokenize.invalidate()
    yield
    tokenize.invalidate()


def build() -> list[Event]:
    grids = {a.code: a for a in Area.objects.filter(code__in=[GRID1, GRID3, NANMEN_GRID])}
    g1, g3, nanmen = grids[GRID1], grids[GRID3], grids[NANMEN_GRID]
    plan = []  # (grid, created, text, extra)
    for i in range(12):
        plan.append((g1, local(2019, 11, 2 + i), FLY, {}))
    plan += [(g1, local(2019, 11, 3), FLY, {"state": State.VOID}),
             (g1, local(2019, 11, 4), FLY, {"state": State.VOID}),
             (g1, local(2019, 11, 5), FLY, {"state": State.MERGED}),
             (g1, local(2019, 11, 6), FLY, {"state": State.HELD})]
    for i in range(8):
        plan.append((g3, local(2019, 11, 10 + i), STALL,
                     {"source": Source.HOTLINE_12345 if i < 5 else Source.CITIZEN}))
    plan += [(g1, local(2019, 11, 20 + i), NOISE, {}) for i in range(3)]
    plan += [(g1, local(2019, 11, 1, 0, 0), PROPERTY, {})]
    plan += [(g1, local(2019, 11, 21 + i), PROPERTY, {}) for i in range(3)]
    plan += [(g1, local(2019, 10, 5 + i), FLY, {}) for i in range(2)]
    plan += [(g1, local(2019, 10, 10 + i), NOISE, {}) for i in range(10)]
    plan += [(g1, local(2019, 10, 31, 23, 59), PROPERTY, {})]
    plan += [(nanmen, local(2019, 11, 6 + i), FUME, {}) for i in range(6)]
    rows = []
    for grid, created, text, extra in plan:
        row = event(grid, created, **extra)
        row.description = text
        rows.append(row)
    return Event.objects.bulk_create(rows)


@pytest.fixture
def fixture_events(db):
    events = build()
    index_events([e.pk for e in events])
    return events


def analysis_for(user, area="", channel=""):
    import datetime as dt

    from gridgov.stats.aggregates import StatsQuery
    from gridgov.stats.periods import Period

    period = Period.containing("month", dt.date(2019, 11, 15))
    return kq.KeywordAnalysis(StatsQuery(user, area, period), channel)


# --- tokenisation ------------------------------------------------------------------------------


def test_terms_of_the_fixture_texts():
    for text, terms in TEXTS.items():
        assert tokenize.terms_of(text) == terms, text


def test_dictionary_terms_stay_whole_and_stop_words_drop():
    terms = tokenize.terms_of("市民反映机动车乱停放在消防通道上,物业不管,已经很久了。")
    # governance terms of the dictionary, whole; 市民 / 反映 / 已经 are stop words; single
    # characters (在, 上, 了) never count
    assert terms == ["机动车乱停放", "消防通道", "物业", "不管"]
    assert all(len(t) >= 2 for t in terms)
    # place names come from the area table, with their short form
    assert tokenize.terms_of("鼓楼街道的兴港居民说兴港社区门口有暴露垃圾") == [
        "鼓楼街道", "兴港", "兴港社区", "暴露垃圾"]


def test_a_term_counts_once_per_case():
    assert tokenize.terms_of("噪音扰民,噪音扰民,还是噪音扰民!") == ["噪音扰民"]


# --- counts --------------------------------------------------------------------------------------


def test_top_terms_count_cases_in_both_periods(fixture_events, leader):
    analysis = analysis_for(leader)
    rows = analysis.rows()
    assert {r.term: (r.cur, r.prev) for r in rows} == GULOU_COUNTS
    top = kq.top_terms(rows)
    assert {r.term for r in top[:5]} == set(TEXTS[FLY])
    assert [(r.term, r.cur) for r in top[5:6]] == [("噪音扰民", 11)]
    assert analysis.case_count() == 12 + 8 + 3 + 4
    kinds = {r.term: r.kind for r in rows}
    assert kinds["飞线充电"] == "governance" and kinds["兴港社区"] == "place"
    assert kinds["菜场"] == ""


def test_rising_terms_follow_the_rule(fixture_events, leader):
    rising = kq.rising_terms(analysis_for(leader).rows())
    assert [r.term for r in rising] == RISING
    fly = rising[3]
    assert (fly.term, fly.cur, fly.prev, fly.delta, fly.change) == ("飞线充电", 12, 2, 10, 500.0)
    stall = rising[5]
    assert (stall.term, stall.prev, stall.change) == ("占道经营", 0, None)
    # 噪音扰民 11 against 10 and 物业 4 against 1 do not rise
    assert not {"噪音扰民", "物业"} & {r.term for r in rising}


def test_a_running_period_compares_with_the_same_elapsed_part(fixture_events, leader):
    """While a period runs, ``Period.previous()`` is the same elapsed part of the one before
    (1–10 October against November to the 10th): October's cases after the 10th are in
    neither period."""
    import datetime as dt

    from gridgov.stats.aggregates import StatsQuery
    from gridgov.stats.periods import Period

    class Running(Period):
        def previous(self, today=None):
            return Period("custom", dt.date(2019, 10, 1), dt.date(2019, 10, 10))

    period = Running("month", dt.date(2019, 11, 1), dt.date(2019, 11, 30))
    analysis = kq.KeywordAnalysis(StatsQuery(leader, "", period))
    counts = {r.term: (r.cur, r.prev) for r in analysis.rows()}
    # October: FLY on the 5th and 6th, NOISE on the 10th (of 10th–19th), PROPERTY on the 31st
    assert counts["飞线充电"] == (12, 2)
    assert counts["噪音扰民"] == (11, 1)
    assert counts["物业"] == (4, 0)
    assert analysis.cases("噪音扰民", analysis.previous).count() == 1


def test_hotline_channel(fixture_events, leader):
    rows = analysis_for(leader, channel="hotline").rows()
    assert {r.term: (r.cur, r.prev) for r in rows} == {
        "荣江社区": (5, 0), "菜场": (5, 0), "占道经营": (5, 0), "噪音扰民": (5, 0)}
    other = {r.term: r.cur for r in analysis_for(leader, channel="other").rows()}
    assert other["占道经营"] == 3 and other["飞线充电"] == 12


def test_scope_street_leader_sees_only_the_street(fixture_events, leader, district_leader):
    gulou = {r.term for r in analysis_for(leader).rows()}
    assert not {"南门街道", "饭店", "油烟", "扰民"} & gulou
    district = {r.term: r.cur for r in analysis_for(district_leader).rows()}
    assert district["油烟"] == 6 and district["飞线充电"] == 12
    # the district leader narrowed to 南门街道
    nanmen = {r.term: r.cur for r in analysis_for(district_leader, "330203001").rows()}
    assert nanmen == {"南门街道": 6, "饭店": 6, "油烟": 6, "扰民": 6}


def test_unindexed_events_are_filled_by_the_page(leader):
    events = build()
    assert not EventTerm.objects.filter(event__in=events).exists()
    analysis = analysis_for(leader)
    analysis.fill()
    assert analysis.unindexed_left is False
    assert {r.term: (r.cur, r.prev) for r in analysis.rows()} == GULOU_COUNTS
    # the 南门 cases are outside this leader's events: not indexed on this leader's request
    assert not EventTerm.objects.filter(event__in=events, term="油烟").exists()


# --- the pages ---------------------------------------------------------------------------------


def _query(url) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_page_figures_and_every_drilldown_count_equal(fixture_events, client_as, leader):
    client = client_as(leader)
    response = client.get(reverse("stats:keywords"), NOV)
    assert response.status_code == 200
    words = response.context["words"]
    assert {r.term: (r.cur, r.prev) for r in words} == GULOU_COUNTS
    assert [r.term for r in response.context["rising"]] == RISING
    for row in words:
        assert _query(row.url)["term"] == row.term
        listed = client.get(row.url)
        assert listed.status_code == 200
        assert listed.context["page"].paginator.count == row.cur, row.term
        numbers = {e.number for e in listed.context["page"].object_list}
        assert all(row.term in e.description for e in listed.context["page"].object_list)
        assert len(numbers) == row.cur
        before = client.get(row.prev_url)
        assert before.context["page"].paginator.count == row.prev, row.term
    html = response.content.decode()
    assert "飞线充电" in html and "油烟" not in html


def test_cases_list_in_scope_only(fixture_events, client_as, leader, district_leader):
    url = reverse("stats:keyword_cases")
    mine = client_as(leader).get(url, {**NOV, "term": "油烟"})
    assert mine.status_code == 200 and mine.context["page"].paginator.count == 0
    theirs = client_as(district_leader).get(url, {**NOV, "term": "油烟"})
    assert theirs.context["page"].paginator.count == 6
    # an area outside the leader's scope answers 404, like a missing one
    outside = client_as(leader).get(url, {**NOV, "term": "油烟", "area": "330203001"})
    assert outside.status_code == 404
    assert client_as(leader).get(reverse("stats:keywords"),
                                 {**NOV, "area": "330203001"}).status_code == 404


@pytest.mark.parametrize("params, field", [
    ({"channel": "fax"}, "channel"),
    ({"period": "decade"}, "period"),
    ({"period": "custom", "start": "2019-11-30", "end": "2019-11-01"}, "end"),
])
def test_bad_input_answers_400(client_as, leader, params, field):
    response = client_as(leader).get(reverse("stats:keywords"), params)
    assert response.status_code == 400
    assert field in response.context["form"].errors


@pytest.mark.parametrize("params, field", [
    ({}, "term"), ({"term": "飞" * 21}, "term"), ({"term": "物业", "which": "next"}, "which"),
])
def test_cases_bad_input_answers_400(client_as, leader, params, field):
    response = client_as(leader).get(reverse("stats:keyword_cases"), {**NOV, **params})
    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_only_statistics_readers_open_the_page(client_as, grid_worker, dept_handler, leader):
    url = reverse("stats:keywords")
    assert client_as(grid_worker).get(url).status_code == 403
    assert client_as(dept_handler).get(url).status_code == 403
    assert client_as(leader).get(url).status_code == 200
    assert client_as(leader).get(reverse("stats:keyword_cases"),
                                 {"term": "物业"}).status_code == 200


def test_page_queries_do_not_grow_with_the_data(fixture_events, client_as, leader,
                                                django_assert_max_num_queries):
    client = client_as(leader)
    client.get(reverse("stats:keywords"), NOV)  # warm: session, scope, tokenizer
    with django_assert_max_num_queries(14):
        assert client.get(reverse("stats:keywords"), NOV).status_code == 200
    build()  # twice the cases, none indexed yet: the page indexes them with two queries more
    with django_assert_max_num_queries(16):
        response = client.get(reverse("stats:keywords"), NOV)
    assert {r.term: r.cur for r in response.context["words"]}["飞线充电"] == 24
    with django_assert_max_num_queries(12):
        response = client.get(reverse("stats:keyword_cases"), {**NOV, "term": "飞线充电"})
    assert response.context["page"].paginator.count == 24


def test_excel_export_holds_the_tables(fixture_events, client_as, leader):
    import io

    import openpyxl

    response = client_as(leader).get(reverse("stats:keywords"), {**NOV, "export": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    words, rising = book.worksheets
    rows = {r[0]: r for r in words.iter_rows(min_row=2, values_only=True)}
    assert rows["飞线充电"][1:5] == ("治理术语", 12, 2, 10)
    assert rows["物业"][2:4] == (4, 1)
    assert [r[0] for r in rising.iter_rows(min_row=2, values_only=True)] == RISING
    cases = client_as(leader).get(reverse("stats:keyword_cases"),
                                  {**NOV, "term": "占道经营", "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(cases.content)).active
    assert sheet.max_row == 1 + 8


def test_stats_navigation_links_the_page(client_as, leader):
    # the sub-navigation every statistics page shares (stats/_selector.html)
    html = client_as(leader).get(reverse("stats:overdue")).content.decode()
    assert f'href="{reverse("stats:keywords")}?' in html
