"""Fixtures of the proactive tests."""

import pytest
from django.test.utils import override_settings

from gridgov.notifications import backends


@pytest.fixture
def sms():
    """The in-memory SMS outbox (what would have been texted)."""
    backends.outbox.clear()
    with override_settings(GRIDGOV_SMS_BACKEND="gridgov.notifications.backends.LocmemSMSBackend"):
        yield backends.outbox
    backends.outbox.clear()
