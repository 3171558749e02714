import pytest
from django.test import override_settings

from gridgov.notifications import backends


@pytest.fixture
def outbox():
    """SMS messages sent during the test (the in-memory backend)."""
    backends.outbox.clear()
    with override_settings(GRIDGOV_SMS_BACKEND="gridgov.notifications.backends.LocmemSMSBackend"):
        yield backends.outbox
    backends.outbox.clear()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit hooks (the transition signal, SMS sending) inside the test."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
