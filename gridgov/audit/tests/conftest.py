"""Fixtures of the audit tests beyond the shared ones in gridgov/conftest.py (the demo
district, its users and signed-in clients): a settable clock for new audit records."""

import datetime as dt

import pytest

from gridgov.audit import recorder


@pytest.fixture
def clock(monkeypatch):
    """Set the time new audit records get: ``clock.set(2026, 3, 1, 10)`` (Asia/Shanghai)."""

    class Clock:
        tz = dt.timezone(dt.timedelta(hours=8))

        def set(self, *args):
            value = args[0] if isinstance(args[0], dt.datetime) else dt.datetime(
                *args, tzinfo=self.tz)
            monkeypatch.setattr(recorder, "_now", lambda: value.astimezone(dt.UTC))
            return value

    return Clock()
