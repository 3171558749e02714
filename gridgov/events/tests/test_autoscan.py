"""The server raises deadline alerts itself (no Celery): after a response, at most every
GRIDGOV_DEADLINE_SCAN_SECONDS per process, installed in each worker by ``gridgov serve``."""

import time

import pytest

from gridgov.core.tests.periodic_support import finish_response
from gridgov.events import autoscan, tasks
from gridgov.events.choices import State
from gridgov.events.tests.helpers_command import make_event, make_overdue
from gridgov.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(settings):
    settings.GRIDGOV_DEADLINE_SCAN_SECONDS = 300
    autoscan.reset()
    autoscan.install()  # after each response, as a server may run it
    yield
    autoscan.uninstall()
    autoscan.reset()


def test_an_overdue_stage_is_marked_after_a_response_without_celery(
        worker, gulou_grid, dispatcher, django_capture_on_commit_callbacks):
    event = make_overdue(make_event(gulou_grid, state=State.DISPATCHED))
    with django_capture_on_commit_callbacks(execute=True):
        finish_response()  # as the test client ends a response (keeps the test's connection)
    event.refresh_from_db()
    assert event.deadline_alert == "overdue"
    assert Notification.objects.filter(event=event, kind="overdue").exists()


def test_once_per_interval_and_never_when_off(worker, settings, monkeypatch):
    calls = []
    monkeypatch.setattr(tasks, "scan_deadlines", lambda: calls.append(1) or {})
    finish_response()
    finish_response()
    assert calls == [1]
    autoscan.reset()
    settings.GRIDGOV_DEADLINE_SCAN_SECONDS = 0
    finish_response()
    assert calls == [1]


def test_a_failed_scan_never_breaks_the_response_and_is_retried_soon(worker, monkeypatch):
    def broken():
        raise RuntimeError("database away")

    monkeypatch.setattr(tasks, "scan_deadlines", broken)
    assert autoscan.maybe_scan() is None
    assert autoscan.job.next_due - time.monotonic() <= autoscan.job.retry_seconds == 60
