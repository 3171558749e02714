"""Period maths: weeks from Monday, quarters, the previous period, the same period last
year, local-time bounds and trend buckets."""

import datetime as dt

from gridgov.stats.periods import CUSTOM, DAY, MONTH, QUARTER, WEEK, YEAR, Period

D = dt.date


def test_week_starts_monday_and_ends_sunday():
    week = Period.containing(WEEK, D(2026, 11, 29))  # a Sunday
    assert (week.start, week.end) == (D(2026, 11, 23), D(2026, 11, 29))
    assert Period.containing(WEEK, D(2026, 11, 30)).start == D(2026, 11, 30)  # Monday
    assert week.previous() == Period(WEEK, D(2026, 11, 16), D(2026, 11, 22))
    ago = week.year_ago()
    assert ago.start.weekday() == 0 and ago.days == 7
    assert ago.start == D(2025, 11, 24)


def test_week_across_the_new_year():
    week = Period.containing(WEEK, D(2027, 1, 1))
    assert (week.start, week.end) == (D(2026, 12, 28), D(2027, 1, 3))


def test_quarters():
    q = Period.containing(QUARTER, D(2026, 11, 15))
    assert (q.start, q.end) == (D(2026, 10, 1), D(2026, 12, 31))
    later = D(2027, 6, 1)  # the quarter is over: compared whole
    assert q.previous(later) == Period(QUARTER, D(2026, 7, 1), D(2026, 9, 30))
    assert q.year_ago(later) == Period(QUARTER, D(2025, 10, 1), D(2025, 12, 31))
    first = Period.containing(QUARTER, D(2026, 3, 31))
    assert (first.start, first.end) == (D(2026, 1, 1), D(2026, 3, 31))
    assert first.previous() == Period(QUARTER, D(2025, 10, 1), D(2025, 12, 31))


def test_months_days_and_years():
    jan = Period.containing(MONTH, D(2026, 1, 20))
    assert jan.previous() == Period(MONTH, D(2025, 12, 1), D(2025, 12, 31))
    feb = Period.containing(MONTH, D(2024, 2, 10))
    assert feb.end == D(2024, 2, 29)
    assert feb.year_ago() == Period(MONTH, D(2023, 2, 1), D(2023, 2, 28))
    assert Period.containing(DAY, D(2024, 2, 29)).year_ago().start == D(2023, 2, 28)
    assert Period.containing(DAY, D(2026, 3, 1)).previous().start == D(2026, 2, 28)
    year = Period.containing(YEAR, D(2026, 6, 1))
    assert (year.start, year.end, year.days) == (D(2026, 1, 1), D(2026, 12, 31), 365)
    assert year.previous().start == D(2025, 1, 1)


def test_custom_previous_is_the_same_length_just_before():
    custom = Period(CUSTOM, D(2026, 11, 10), D(2026, 11, 19))
    assert custom.previous() == Period(CUSTOM, D(2026, 10, 31), D(2026, 11, 9))
    assert custom.year_ago() == Period(CUSTOM, D(2025, 11, 10), D(2025, 11, 19))


def test_bounds_are_local_midnights():
    start, end = Period.containing(MONTH, D(2026, 11, 5)).bounds()
    assert start.isoformat() == "2026-11-01T00:00:00+08:00"
    assert end.isoformat() == "2026-12-01T00:00:00+08:00"
    assert start.astimezone(dt.UTC).isoformat() == "2026-10-31T16:00:00+00:00"


def test_trend_buckets_clip_to_the_period():
    month = Period.containing(MONTH, D(2026, 11, 5))
    assert month.trend_unit() == DAY and len(month.buckets(DAY)) == 30
    quarter = Period.containing(QUARTER, D(2026, 11, 5))
    weeks = quarter.buckets(quarter.trend_unit())
    assert quarter.trend_unit() == WEEK
    assert weeks[0] == Period(WEEK, D(2026, 10, 1), D(2026, 10, 4))  # Thu..Sun
    assert weeks[-1] == Period(WEEK, D(2026, 12, 28), D(2026, 12, 31))
    assert sum(w.days for w in weeks) == quarter.days
    year = Period.containing(YEAR, D(2026, 6, 1))
    assert year.trend_unit() == MONTH and len(year.buckets(MONTH)) == 12
