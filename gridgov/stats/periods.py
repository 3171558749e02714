"""Periods of the statistics: a day, week, month, quarter, year or a custom range of dates.

Dates are local (``TIME_ZONE``, Asia/Shanghai); a period covers whole days, ``start`` to
``end`` inclusive, and becomes the half-open datetime range ``[start 00:00, end+1 00:00)`` in
the local time zone, so a query on ``created_at`` is one index range. Weeks start on Monday.

Comparisons: the *previous* period is the one just before of the same kind (the previous day,
week, month, quarter, year; a custom range: the same number of days just before it). The
*same period last year* is the same calendar days a year earlier (29 February → 28 February);
a week: the week 52 weeks earlier (still Monday to Sunday, around the same dates).
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
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

    def previous(self) -> "Period":
        """The period of the same kind just before this one."""
        if self.kind == CUSTOM:
            end = self.start - dt.timedelta(days=1)
            return Period(CUSTOM, end - dt.timedelta(days=self.days - 1), end)
        return Period.containing(self.kind, self.start - dt.timedelta(days=1))

    def year_ago(self) -> "Period":
        """The same period last year (see the module's docstring)."""
        if self.kind == WEEK:
            return Period(WEEK, self.start - dt.timedelta(weeks=52),
                          self.end - dt.timedelta(weeks=52))
        if self.kind in (DAY, CUSTOM):
            return Period(self.kind, _year_earlier(self.start), _year_earlier(self.end))
        return Period.containing(self.kind, _year_earlier(self.start))

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
