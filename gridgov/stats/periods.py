"""Periods of the statistics: a day, week, month, quarter, year or a custom range of dates.

Dates are local (``TIME_ZONE``, Asia/Shanghai); a period covers whole days, ``start`` to
``end`` inclusive, and becomes the half-open datetime range ``[start 00:00, end+1 00:00)`` in
the local time zone, so a query on ``created_at`` is one index range. Weeks start on Monday.

Comparisons: the *previous* period is the one just before of the same kind (the previous day,
week, month, quarter, year; a custom range: the same number of days just before it). The
*same period last year* is the same calendar days a year earlier (29 February → 28 February);
a week: the week 52 weeks earlier (still Monday to Sunday, around the same dates).

A period still running (today inside it: the month to date) is compared with the same
elapsed part of the other periods, not with them whole ("同比/环比按同期已过天数比较"): on
5 December the month compares with 1–5 November and 1–5 December last year. The previous
period's part is the same number of days from its start (clipped to its end: 31 days of a
31-day month against a 30-day one take the whole 30); last year's part ends on the same
calendar day a year earlier (a week: 52 weeks earlier). ``previous()`` and ``year_ago()``
take ``today`` (default: the local date now); a period that is over compares whole.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DAY, WEEK, MONTH, QUARTER, YEAR, CUSTOM = "day", "week", "month", "quarter", "year", "custom"
KINDS = (
    (DAY, _("日")), (WEEK, _("周")), (MONTH, _("月")), (QUARTER, _("季度")), (YEAR, _("年")),
    (CUSTOM, _("自定义")),
)
# The longest custom range accepted (a trend by day over it stays a readable chart).
MAX_CUSTOM_DAYS = 3 * 366


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _today() -> dt.date:
    return timezone.localdate(timezone=local_zone())


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Period:
    """Whole local days ``start``..``end`` (inclusive) of one kind."""

    kind: str
    start: dt.date
    end: dt.date

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> "Period":
        """The day, week, month, quarter or year that contains ``day``."""
        if kind == DAY:
            return cls(kind, day, day)
        if kind == WEEK:
            monday = day - dt.timedelta(days=day.weekday())
            return cls(kind, monday, monday + dt.timedelta(days=6))
        if kind == MONTH:
            first = day.replace(day=1)
            return cls(kind, first, _add_months(first, 1) - dt.timedelta(days=1))
        if kind == QUARTER:
            first = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
            return cls(kind, first, _add_months(first, 3) - dt.timedelta(days=1))
        if kind == YEAR:
            return cls(kind, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
        raise ValueError(f"unknown period kind {kind!r}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The aware datetimes ``[start 00:00, end + 1 day 00:00)``, local time."""
        zone = local_zone()
        return (dt.datetime.combine(self.start, dt.time.min, zone),
                dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, zone))

    def is_running(self, today: dt.date | None = None) -> bool:
        """Whether ``today`` (default: the local date now) falls inside the period before its
        last day: the period is not over and its comparisons take the same elapsed part."""
        today = today or _today()
        return self.start <= today < self.end

    def elapsed_days(self, today: dt.date | None = None) -> int:
        """Days of the period up to and including ``today`` (all of them once it is over)."""
        if not self.is_running(today):
            return self.days
        return ((today or _today()) - self.start).days + 1

    def _whole_previous(self) -> "Period":
        if self.kind == CUSTOM:
            end = self.start - dt.timedelta(days=1)
            return Period(CUSTOM, end - dt.timedelta(days=self.days - 1), end)
        return Period.containing(self.kind, self.start - dt.timedelta(days=1))

    def _whole_year_ago(self) -> "Period":
        if self.kind == WEEK:
            return Period(WEEK, self.start - dt.timedelta(weeks=52),
                          self.end - dt.timedelta(weeks=52))
        if self.kind in (DAY, CUSTOM):
            return Period(self.kind, _year_earlier(self.start), _year_earlier(self.end))
        return Period.containing(self.kind, _year_earlier(self.start))

    def previous(self, today: dt.date | None = None) -> "Period":
        """The period of the same kind just before this one; while this one runs, its first
        ``elapsed_days`` days (see the module's docstring)."""
        whole = self._whole_previous()
        if not self.is_running(today):
            return whole
        end = whole.start + dt.timedelta(days=self.elapsed_days(today) - 1)
        return Period(whole.kind, whole.start, min(end, whole.end))

    def year_ago(self, today: dt.date | None = None) -> "Period":
        """The same period last year (see the module's docstring); while this one runs, up to
        the same day a year earlier."""
        whole = self._whole_year_ago()
        if not self.is_running(today):
            return whole
        today = today or _today()
        end = (today - dt.timedelta(weeks=52) if self.kind == WEEK
               else _year_earlier(today))
        return Period(whole.kind, whole.start, max(whole.start, min(end, whole.end)))

    def label(self) -> str:
        if self.kind == DAY:
            return self.start.isoformat()
        if self.kind == MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == YEAR:
            return str(self.start.year)
        return f"{self.start.isoformat()} ~ {self.end.isoformat()}"

    def trend_unit(self) -> str:
        """The bucket of its trend chart: days up to two months, weeks up to a half year,
        else months."""
        if self.days <= 62:
            return DAY
        if self.days <= 184:
            return WEEK
        return MONTH

    def buckets(self, unit: str) -> list["Period"]:
        """The trend's buckets over this period (the first and last clipped to it)."""
        out = []
        day = self.start
        while day <= self.end:
            bucket = Period.containing(unit, day)
            out.append(Period(unit, max(bucket.start, self.start), min(bucket.end, self.end)))
            day = bucket.end + dt.timedelta(days=1)
        return out
