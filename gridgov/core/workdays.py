"""China's working-day calendar: holidays, 调休 weekend workdays and working hours.

Sources, in order:

1. ``CalendarDay`` rows an administrator maintains (``gridgov.core.models``, written by
   ``gridgov.core.actions.set_calendar_day``): they override
   the package (a late change) and extend it past its last year;
2. the PyPI package ``chinesecalendar`` (``import chinese_calendar``) for the years it knows
   (2004 to the year of its release);
3. for a year beyond the package that has at least one ``CalendarDay`` row (the State
   Council publishes each year's arrangement as a list of holidays and swapped workdays, and
   the administrator enters exactly that list), the days not listed follow the week:
   Monday–Friday work, Saturday–Sunday rest.

A year known to neither raises ``CalendarUnknown``; ``deadline_for`` turns that into a
deadline of ``None`` and a note saying why, so nothing silently treats every weekday as a
workday.

Working hours come from ``settings.GRIDGOV_WORKING_HOURS`` ("08:30-12:00,13:30-17:30" by
default). All arithmetic runs in local time (``settings.TIME_ZONE``) and returns aware
datetimes.
"""

import datetime as dt
import threading
import time
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

DEFAULT_WORKING_HOURS = "08:30-12:00,13:30-17:30"
# How long a process trusts its copy of the administrator table (other processes may edit).
CACHE_SECONDS = 60
# add_working_days/add_working_hours never look further than this (a guard, not a rule).
MAX_SCAN_DAYS = 3660

UNITS = ("minutes", "hours", "working_hours", "working_days")


class CalendarUnknown(ValueError):
    """The working-day calendar of a date's year is not known (neither package nor table)."""

    def __init__(self, day: dt.date):
        self.day = day
        super().__init__(_(
            "{year}年的法定节假日安排尚未录入工作日历,无法按工作日计算({day});"
            "请系统管理员在工作日历中维护该年度的节假日和调休工作日。"
        ).format(year=day.year, day=day.isoformat()))


# --- the administrator table, cached per process ------------------------------------------

_lock = threading.Lock()
_table: dict | None = None
_table_years: frozenset = frozenset()
_loaded_at = 0.0


def invalidate() -> None:
    """Forget the cached table (called when a ``CalendarDay`` row changes)."""
    global _table
    with _lock:
        _table = None


def _rows() -> tuple[dict, frozenset]:
    global _table, _table_years, _loaded_at
    with _lock:
        if _table is None or time.monotonic() - _loaded_at > CACHE_SECONDS:
            from .models import CalendarDay

            _table = dict(CalendarDay.objects.values_list("date", "is_workday"))
            _table_years = frozenset(d.year for d in _table)
            _loaded_at = time.monotonic()
        return _table, _table_years


@lru_cache(maxsize=1)
def package_years() -> tuple[int, int]:
    """First and last year the installed chinese-calendar package knows."""
    from chinese_calendar import constants

    days = list(constants.holidays) + list(constants.workdays)
    return min(days).year, max(days).year


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is a working day; ``CalendarUnknown`` when its year is not known."""
    if isinstance(day, dt.datetime):
        day = day.date()
    table, table_years = _rows()
    if day in table:
        return table[day]
    first, last = package_years()
    if first <= day.year <= last:
        import chinese_calendar

        return chinese_calendar.is_workday(day)
    if day.year in table_years:
        return day.weekday() < 5
    raise CalendarUnknown(day)


# --- working hours -------------------------------------------------------------------------


def _parse_periods(text: str) -> tuple[tuple[dt.time, dt.time], ...]:
    periods = []
    for part in text.split(","):
        start, end = (dt.time.fromisoformat(p.strip()) for p in part.split("-"))
        if end <= start:
            raise ValueError(f"bad working-hours period {part!r}")
        periods.append((start, end))
    periods.sort()
    return tuple(periods)


def working_periods() -> tuple[tuple[dt.time, dt.time], ...]:
    """The day's working periods from ``settings.GRIDGOV_WORKING_HOURS``."""
    return _parse_periods(getattr(settings, "GRIDGOV_WORKING_HOURS", DEFAULT_WORKING_HOURS)
                          or DEFAULT_WORKING_HOURS)


def _local(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return timezone.localtime(value)


def _at(day: dt.date, when: dt.time, tz) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, when), tz)


# --- arithmetic ------------------------------------------------------------------------------


def add_working_days(start: dt.datetime, n: int) -> dt.datetime:
    """The same clock time on the ``n``-th working day after ``start``'s date.

    Started on a rest day, the time limit counts from the next working day's start, so the
    deadline is the end of the working day on the ``n``-th working day (a report on Saturday
    with 1 working day is due on Monday at the close of work).
    """
    if n < 0:
        raise ValueError("n must not be negative")
    local = _local(start)
    tz = local.tzinfo
    day = local.date()
    started_on_rest_day = not is_workday(day)
    if n == 0:
        return local
    counted = 0
    for _i in range(MAX_SCAN_DAYS):
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
            if counted == n:
                if started_on_rest_day:
                    return _at(day, working_periods()[-1][1], tz)
                return _at(day, local.time(), tz)
    raise ValueError("working-day scan exceeded its limit")


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """``start`` plus ``hours`` of working time (working periods of working days only)."""
    if hours < 0:
        raise ValueError("hours must not be negative")
    local = _local(start)
    tz = local.tzinfo
    remaining = dt.timedelta(hours=hours)
    if not remaining:
        return local
    periods = working_periods()
    day = local.date()
    cursor = local
    for _i in range(MAX_SCAN_DAYS):
        if is_workday(day):
            for begin, end in periods:
                p_start, p_end = _at(day, begin, tz), _at(day, end, tz)
                if cursor >= p_end:
                    continue
                cursor = max(cursor, p_start)
                available = p_end - cursor
                if remaining <= available:
                    return cursor + remaining
                remaining -= available
                cursor = p_end
        day += dt.timedelta(days=1)
        cursor = _at(day, dt.time(0, 0), tz)
    raise ValueError("working-hours scan exceeded its limit")


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days after ``a`` up to and including ``b`` (negative when ``b`` is before ``a``)."""
    if isinstance(a, dt.datetime):
        a = _local(a).date()
    if isinstance(b, dt.datetime):
        b = _local(b).date()
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a
    while day < b:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def deadline_for(start: dt.datetime, amount, unit: str) -> tuple[dt.datetime | None, str]:
    """The deadline ``amount`` ``unit`` after ``start`` and a note (empty when all is known).

    ``unit`` is one of minutes, hours (plain clock time), working_hours, working_days. When
    the calendar does not know a year the deadline would reach, the deadline is ``None`` and
    the note says so.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {UNITS}")
    start = _local(start)
    if unit == "minutes":
        return start + dt.timedelta(minutes=float(amount)), ""
    if unit == "hours":
        return start + dt.timedelta(hours=float(amount)), ""
    try:
        if unit == "working_hours":
            return add_working_hours(start, float(amount)), ""
        return add_working_days(start, int(amount)), ""
    except CalendarUnknown as exc:
        return None, str(exc)
