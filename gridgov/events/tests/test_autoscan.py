"""The server raises deadline alerts itself (no Celery): after a response, at most every
GRIDGOV_DEADLINE_SCAN_SECONDS per process, installed in each worker by ``gridgov serve``."""

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections

from gridgov.core.management.commands import serve
from gridgov.events import autoscan, tasks
from gridgov.events.choices import State
from gridgov.events.tests.helpers_command import make_event, make_overdue
from gridgov.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(settings):
    settings.GRIDGOV_DEADLINE_SCAN_SECONDS = 300
    autoscan.reset()
    # Django closes the connection when a request finishes; inside the test's transaction
    # that would leave PostgreSQL's connection closed under the scan (a real server is not in
    # a transaction there).
    request_finished.disconnect(close_old_connections)
    serve.post_worker_init(None)  # what gunicorn calls in each worker
    yield
    request_finished.connect(close_old_connections)
    autoscan.uninstall()
    autoscan.reset()
    from gridgov.audit import autoseal

    autoseal.uninstall()
    autoseal.reset()


def test_an_overdue_stage_is_marked_after_a_response_without_celery(
        worker, gulou_grid, dispatcher, django_capture_on_commit_callbacks):
    event = make_overdue(make_event(gulou_grid, state=State.DISPATCHED))
    with django_capture_on_commit_callbacks(execute=True):
        request_finished.send(sender=None)
    event.refresh_from_db()
    assert event.deadline_alert == "overdue"
    assert Notification.objects.filter(event=event, kind="overdue").exists()


def test_once_per_interval_and_never_when_off(worker, settings, monkeypatch):
    calls = []
    monkeypatch.setattr(tasks, "scan_deadlines", lambda: calls.append(1) or {})
    request_finished.send(sender=None)
    request_finished.send(sender=None)
    assert calls == [1]
    autoscan.reset()
    settings.GRIDGOV_DEADLINE_SCAN_SECONDS = 0
    request_finished.send(sender=None)
    assert calls == [1]


def test_a_failed_scan_never_breaks_the_response_and_is_retried_soon(worker, monkeypatch):
    def broken():
        raise RuntimeError("database away")

    monkeypatch.setattr(tasks, "scan_deadlines", broken)
    assert autoscan.maybe_scan() is None
    assert autoscan._state["next_due"] - autoscan.time.monotonic() <= autoscan.RETRY_SECONDS
