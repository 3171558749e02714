"""gridgov.core.workdays: China's calendar with holidays, 调休 workdays and working hours."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.core import workdays
from gridgov.core.actions import set_calendar_day
from gridgov.core.models import CalendarDay
from gridgov.core.workdays import (
    CalendarUnknown,
    add_working_days,
    add_working_hours,
    deadline_for,
    is_workday,
    working_days_between,
)

pytestmark = pytest.mark.django_db

D = dt.date


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


@pytest.mark.parametrize("day, expected", [
    (D(2025, 9, 26), True),    # Friday
    (D(2025, 9, 27), False),   # Saturday
    (D(2025, 9, 28), True),    # Sunday worked in exchange (调休) for National Day
    (D(2025, 10, 1), False),   # National Day
    (D(2025, 10, 8), False),   # last day of the 2025 National Day + Mid-Autumn break
    (D(2025, 10, 9), True),
    (D(2025, 10, 11), True),   # Saturday worked in exchange
    (D(2026, 2, 14), True),    # Saturday worked before the 2026 Spring Festival
    (D(2026, 2, 16), False),   # Spring Festival
    (D(2026, 2, 23), False),   # last day of the Spring Festival break
    (D(2026, 2, 24), True),
    (D(2026, 2, 28), True),    # Saturday worked after the Spring Festival
])
def test_is_workday_follows_the_official_calendar(day, expected):
    assert is_workday(day) is expected


def test_beyond_the_package_is_unknown_with_a_chinese_message():
    with pytest.raises(CalendarUnknown) as info:
        is_workday(D(2031, 5, 6))
    assert "2031年" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_administrator_table_extends_and_overrides(sys_admin):
    # 2031 becomes known once the administrator enters its arrangement ...
    set_calendar_day(D(2031, 1, 1), is_workday=False, note="元旦", actor=sys_admin)
    assert is_workday(D(2031, 1, 1)) is False
    assert is_workday(D(2031, 1, 2)) is True      # a Thursday not listed: a workday
    assert is_workday(D(2031, 1, 4)) is False     # a Saturday not listed: rest
    # ... and a row overrides the package for a known year.
    set_calendar_day(D(2025, 9, 27), is_workday=True, note="调整", actor=sys_admin)
    assert is_workday(D(2025, 9, 27)) is True
    assert CalendarDay.objects.filter(date=D(2025, 9, 27), is_workday=True).exists()


def test_only_the_system_administrator_edits_the_calendar(grid_worker):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        set_calendar_day(D(2031, 1, 1), is_workday=False, actor=grid_worker)


def test_setting_a_day_is_audited(sys_admin):
    from gridgov.audit.models import AuditRecord

    row = set_calendar_day(D(2031, 10, 1), is_workday=False, note="国庆", actor=sys_admin)
    rec = AuditRecord.objects.get(object_type="core.calendarday", object_id=str(row.pk))
    assert rec.action == "core.calendar_day"
    assert rec.changes["is_workday"] == [None, False]


def test_add_working_days_skips_national_day():
    # Tuesday 30 September 2025, 10:00 + 1 working day → Thursday 9 October, 10:00.
    assert add_working_days(local(2025, 9, 30, 10, 0), 1) == local(2025, 10, 9, 10, 0)
    # The 调休 Saturday 11 October counts: Thursday 9 + 3 working days is
    # 10 (Fri), 11 (Sat, worked), 13 (Mon).
    assert add_working_days(local(2025, 10, 9, 9, 0), 3) == local(2025, 10, 13, 9, 0)


def test_add_working_days_counts_the_swapped_sunday():
    # Friday 26 September + 1 → Sunday 28 September (worked in exchange).
    assert add_working_days(local(2025, 9, 26, 15, 0), 1) == local(2025, 9, 28, 15, 0)


def test_add_working_days_from_a_rest_day_ends_at_close_of_work():
    # Reported on the Spring Festival: 1 working day → 24 February 2026 at 17:30.
    assert add_working_days(local(2026, 2, 17, 11, 0), 1) == local(2026, 2, 24, 17, 30)


def test_add_working_hours_uses_the_working_periods():
    # 16:00 on 30 Sept: 1.5 h left that day, then 3.5 h on 9 October morning → 12:00.
    assert add_working_hours(local(2025, 9, 30, 16, 0), 5) == local(2025, 10, 9, 12, 0)
    # Lunch break is not working time: 11:00 + 2 h → 14:30.
    assert add_working_hours(local(2025, 10, 9, 11, 0), 2) == local(2025, 10, 9, 14, 30)
    # Before work starts: counts from 08:30.
    assert add_working_hours(local(2025, 10, 9, 6, 0), 1) == local(2025, 10, 9, 9, 30)


def test_working_hours_setting(settings):
    settings.GRIDGOV_WORKING_HOURS = "09:00-17:00"
    assert add_working_hours(local(2025, 10, 9, 16, 0), 2) == local(2025, 10, 10, 10, 0)


def test_working_days_between():
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert working_days_between(D(2025, 9, 26), D(2025, 10, 12)) == 6  # 28, 29, 30, 9, 10, 11
    assert working_days_between(D(2025, 10, 9), D(2025, 9, 30)) == -1
    assert working_days_between(D(2025, 10, 9), D(2025, 10, 9)) == 0


def test_deadline_for_units():
    start = local(2025, 9, 30, 10, 0)
    assert deadline_for(start, 30, "minutes") == (local(2025, 9, 30, 10, 30), "")
    assert deadline_for(start, 2, "hours") == (local(2025, 9, 30, 12, 0), "")
    assert deadline_for(start, 1, "working_days") == (local(2025, 10, 9, 10, 0), "")
    assert deadline_for(start, 5, "working_hours")[0] == local(2025, 9, 30, 16, 30)
    with pytest.raises(ValueError):
        deadline_for(start, 1, "fortnights")


def test_deadline_past_the_known_years_says_so():
    deadline, note = deadline_for(local(2030, 12, 30, 10, 0), 15, "working_days")
    assert deadline is None
    assert "工作日历" in note
    # Plain hours never need the calendar.
    assert deadline_for(local(2030, 12, 30, 10, 0), 2, "hours")[0] is not None


def test_cache_is_dropped_when_a_row_changes(sys_admin):
    assert is_workday(D(2025, 10, 10)) is True
    CalendarDay.objects.create(date=D(2025, 10, 10), is_workday=False, note="test")
    assert is_workday(D(2025, 10, 10)) is False
    workdays.invalidate()
