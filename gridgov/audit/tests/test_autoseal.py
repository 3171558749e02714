"""The server seals the audit log itself (no Celery): after a response, at most every
GRIDGOV_AUDIT_SEAL_SECONDS per process, installed in each gunicorn worker by ``gridgov serve``
and ``gridgov demo``."""

import datetime as dt
import time
import types

import pytest
from django.db import transaction
from gunicorn.config import Config

from gridgov.audit import autoseal, seal
from gridgov.audit.models import AuditAnchor, AuditCheckpoint
from gridgov.audit.recorder import record
from gridgov.core import scheduler
from gridgov.core.management.commands import serve

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
PAGE = "/accounts/login/"


@pytest.fixture
def server(settings, monkeypatch):
    """This test process as a server worker whose clock says 10:00 on 5 March 2026."""
    settings.GRIDGOV_AUDIT_SEAL_SECONDS = 900
    now = {"value": dt.datetime(2026, 3, 5, 10, tzinfo=TZ)}
    monkeypatch.setattr(seal, "timezone", types.SimpleNamespace(now=lambda: now["value"]))
    autoseal.install()  # run after each response, as a server may also run it
    yield now
    autoseal.uninstall()
    autoseal.reset()


def _write(key, n=1):
    for _ in range(n):
        with transaction.atomic():
            record("test.autoseal", object_type="test.thing", object_id=key)


def test_serve_starts_the_scheduler_in_every_worker(settings, monkeypatch):
    config = Config()
    for name, value in serve.gunicorn_settings("127.0.0.1:8000", 2).items():
        config.set(name, value)  # gunicorn accepts the hook (a callable of the worker)
    assert config.post_worker_init is serve.post_worker_init
    started = []
    monkeypatch.setattr(scheduler, "start", lambda: started.append(1) or True)
    serve.post_worker_init(None)
    assert started == [1]


def test_the_scheduler_seals_without_any_request(settings, monkeypatch):
    """No response needed: the scheduler's tick runs the seal (the server's thread)."""
    settings.GRIDGOV_AUDIT_SEAL_SECONDS = 900
    calls = []
    monkeypatch.setattr(seal, "seal_now", lambda now=None: calls.append(now) or ([], None))
    autoseal.reset()
    try:
        assert "audit_seal" in scheduler.tick(close=False)
        scheduler.tick(close=False)
        assert calls == [None]  # once, then not before the interval
    finally:
        autoseal.reset()


def test_a_request_seals_closed_days_and_today(server, clock, client):
    clock.set(2026, 3, 1, 9)
    _write("a", 2)
    clock.set(2026, 3, 5, 9)
    _write("b", 3)
    assert client.get(PAGE).status_code == 200
    assert AuditAnchor.objects.filter(day=dt.date(2026, 3, 1), record_count=2).exists()
    checkpoint = AuditCheckpoint.objects.get(day=dt.date(2026, 3, 5))
    assert checkpoint.record_count == 3


def test_at_most_once_per_interval_and_no_query_in_between(server, clock, client,
                                                          django_assert_num_queries):
    clock.set(2026, 3, 5, 9)
    _write("b")
    client.get(PAGE)
    assert AuditCheckpoint.objects.count() == 1
    _write("b")
    server["value"] += dt.timedelta(minutes=5)
    # Not due: the check costs no query at all.
    with django_assert_num_queries(0):
        assert autoseal.maybe_seal() is False
    client.get(PAGE)
    assert AuditCheckpoint.objects.count() == 1
    autoseal.job.make_due()  # as if GRIDGOV_AUDIT_SEAL_SECONDS had passed
    client.get(PAGE)
    assert AuditCheckpoint.objects.count() == 2


def test_zero_seconds_turns_it_off(server, settings, clock, client):
    settings.GRIDGOV_AUDIT_SEAL_SECONDS = 0
    clock.set(2026, 3, 5, 9)
    _write("b")
    client.get(PAGE)
    assert not AuditCheckpoint.objects.exists()


def test_a_failing_seal_is_logged_and_retried_soon(server, monkeypatch, client, caplog):
    def broken(now=None):
        raise RuntimeError("database away")

    monkeypatch.setattr(seal, "seal_now", broken)
    assert client.get(PAGE).status_code == 200
    assert "sealing the audit log failed" in caplog.text
    assert autoseal.job.next_due - time.monotonic() <= autoseal.job.retry_seconds == 60
