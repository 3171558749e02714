"""A period still running compares with the same elapsed part of the previous period and of
the same period last year (同比/环比按同期已过天数比较), not with them whole."""

import datetime as dt

import pytest

from gridgov.stats import periods
from gridgov.stats.aggregates import StatsQuery
from gridgov.stats.periods import CUSTOM, DAY, MONTH, QUARTER, WEEK, YEAR, Period

from .support import GRID1, GULOU, event, local

D = dt.date


def test_month_to_date_compares_with_the_same_days():
    dec = Period.containing(MONTH, D(2026, 12, 5))
    today = D(2026, 12, 5)
    assert dec.is_running(today) and dec.elapsed_days(today) == 5
    assert dec.previous(today) == Period(MONTH, D(2026, 11, 1), D(2026, 11, 5))
    assert dec.year_ago(today) == Period(MONTH, D(2025, 12, 1), D(2025, 12, 5))
    # Over: compared whole.
    assert dec.previous(D(2027, 1, 1)) == Period(MONTH, D(2026, 11, 1), D(2026, 11, 30))
    assert not dec.is_running(D(2027, 1, 1)) and dec.elapsed_days(D(2027, 1, 1)) == 31


def test_month_end_31_against_30_and_february():
    # 30 March: 30 days elapsed; February 2026 has 28, taken whole.
    mar = Period.containing(MONTH, D(2026, 3, 30))
    assert mar.previous(D(2026, 3, 30)) == Period(MONTH, D(2026, 2, 1), D(2026, 2, 28))
    # 30 December (30 of 31 days) against the whole of November (30 days).
    dec = Period.containing(MONTH, D(2026, 12, 30))
    assert dec.previous(D(2026, 12, 30)) == Period(MONTH, D(2026, 11, 1), D(2026, 11, 30))
    # The last day of a month is not "running" any more than the month being over.
    assert not dec.is_running(D(2026, 12, 31))
    assert dec.previous(D(2026, 12, 31)) == Period(MONTH, D(2026, 11, 1), D(2026, 11, 30))
    # 29 February 2028 (leap): last year ends 28 February; January's first 29 days before.
    feb = Period.containing(MONTH, D(2028, 2, 10))
    assert feb.previous(D(2028, 2, 10)) == Period(MONTH, D(2028, 1, 1), D(2028, 1, 10))
    assert feb.year_ago(D(2028, 2, 28)) == Period(MONTH, D(2027, 2, 1), D(2027, 2, 28))
    # 15 March against February, 15 days each.
    assert (Period.containing(MONTH, D(2027, 3, 15)).previous(D(2027, 3, 15))
            == Period(MONTH, D(2027, 2, 1), D(2027, 2, 15)))


def test_quarter_year_and_week_to_date():
    q4 = Period.containing(QUARTER, D(2026, 12, 5))
    today = D(2026, 12, 5)  # day 66 of the quarter (31 + 30 + 5)
    assert q4.elapsed_days(today) == 66
    assert q4.previous(today) == Period(QUARTER, D(2026, 7, 1), D(2026, 9, 4))
    assert q4.year_ago(today) == Period(QUARTER, D(2025, 10, 1), D(2025, 12, 5))
    year = Period.containing(YEAR, D(2026, 3, 1))
    assert year.previous(D(2026, 3, 1)) == Period(YEAR, D(2025, 1, 1), D(2025, 3, 1))
    assert year.year_ago(D(2026, 3, 1)) == Period(YEAR, D(2025, 1, 1), D(2025, 3, 1))
    week = Period.containing(WEEK, D(2026, 12, 2))  # Monday 30 Nov .. Sunday 6 Dec
    today = D(2026, 12, 2)  # a Wednesday: three days
    assert week.previous(today) == Period(WEEK, D(2026, 11, 23), D(2026, 11, 25))
    ago = week.year_ago(today)
    assert (ago.start, ago.end) == (D(2025, 12, 1), D(2025, 12, 3))
    assert ago.start.weekday() == 0 and ago.days == 3


def test_a_day_and_a_custom_range():
    # A day is the smallest unit: today compares with yesterday and last year whole.
    day = Period.containing(DAY, D(2026, 12, 5))
    assert not day.is_running(D(2026, 12, 5))
    assert day.previous(D(2026, 12, 5)) == Period(DAY, D(2026, 12, 4), D(2026, 12, 4))
    custom = Period(CUSTOM, D(2026, 11, 21), D(2026, 12, 10))  # 20 days, 15 elapsed
    today = D(2026, 12, 5)
    assert custom.elapsed_days(today) == 15
    assert custom.previous(today) == Period(CUSTOM, D(2026, 11, 1), D(2026, 11, 15))
    assert custom.year_ago(today) == Period(CUSTOM, D(2025, 11, 21), D(2025, 12, 5))
    # Not begun yet: nothing elapsed to cut at, compared whole.
    assert custom.previous(D(2026, 11, 1)) == Period(CUSTOM, D(2026, 11, 1), D(2026, 11, 20))


@pytest.mark.django_db
def test_the_figures_compare_the_month_to_date(leader, monkeypatch):
    """On 5 November 2019 the month's 5 reports compare with 1–5 October (2 reports), not the
    whole of October (10 reports): +150 %, where the whole month would say −50 %; and with
    1–5 November 2018 (1 report, not 2)."""
    from gridgov.areas.models import Area
    from gridgov.events.models import Event


    grid = Area.objects.get(code=GRID1)  # the demo's history is recent: 2019 is empty
    rows = [event(grid, local(2019, 11, d)) for d in range(1, 6)]
    rows += [event(grid, local(2019, 10, d)) for d in (1, 5)]
    rows += [event(grid, local(2019, 10, d)) for d in (6, 7, 8, 9, 10, 20, 30, 31)]
    rows += [event(grid, local(2018, 11, d)) for d in (3, 25)]
    Event.objects.bulk_create(rows)
    monkeypatch.setattr(periods, "_today", lambda: D(2019, 11, 5))
    query = StatsQuery(leader, GULOU, Period.containing(MONTH, D(2019, 11, 5)),
                       now=local(2019, 11, 5, 18))
    summary = query.summary()
    assert (summary.cur.total, summary.prev.total, summary.ya.total) == (5, 2, 1)
    assert summary.vs_prev() == 150.0 and summary.vs_year() == 400.0
    # Once the month is over, the whole months compare (as of the query's own time).
    query = StatsQuery(leader, GULOU, Period.containing(MONTH, D(2019, 11, 5)),
                       now=local(2019, 12, 1, 9))
    summary = query.summary()
    assert (summary.cur.total, summary.prev.total, summary.ya.total) == (5, 10, 2)


@pytest.mark.django_db
def test_the_dashboard_says_so_and_compares_the_same_days(client_as, leader):
    """This month on the dashboard: the previous period's count is the events of the same
    elapsed days of last month (counted here by dates), and the page says so."""
    from django.urls import reverse
    from django.utils import timezone

    from gridgov.events.models import Event

    today = timezone.localdate(timezone.now(), periods.local_zone())
    month = Period.containing(MONTH, today)
    response = client_as(leader).get(reverse("stats:dashboard"))
    html = response.content.decode()
    assert ("同比/环比按同期已过天数比较" in html) == month.is_running(today)
    prev = month.previous(today)
    start, end = prev.bounds()
    expected = (Event.objects.filter(area_code__startswith=GULOU, created_at__gte=start,
                                     created_at__lt=end).count())
    cards = {str(k["label"]): k for k in response.context["kpis"]}
    assert cards["上报数"]["prev"] == expected
    if month.is_running(today):
        assert prev.days == min(month.elapsed_days(today),
                                Period.containing(MONTH, prev.start).days)
    past = client_as(leader).get(reverse("stats:dashboard"),
                                 {"period": "month", "date": "2019-11-15"})
    assert "同比/环比按同期已过天数比较" not in past.content.decode()
