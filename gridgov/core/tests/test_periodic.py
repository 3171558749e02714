"""``core.periodic.Periodic``: a job run after a response at most every N seconds per process,
one thread at a time, retried a minute after a failure (audit.autoseal, events.autoscan)."""

import threading
import types

import pytest
from django.db import connection

from gridgov.accounts.models import Department
from gridgov.core import periodic
from gridgov.core.periodic import Periodic
from gridgov.core.tests.periodic_support import finish_response


@pytest.fixture
def clock(monkeypatch):
    """The job's monotonic clock, moved by hand (seconds)."""
    now = {"value": 1000.0}
    monkeypatch.setattr(periodic, "time", types.SimpleNamespace(monotonic=lambda: now["value"]))
    return now


@pytest.fixture
def job(settings):
    settings.GRIDGOV_TEST_PERIODIC_SECONDS = 300
    calls = []
    job = Periodic("test_job", "GRIDGOV_TEST_PERIODIC_SECONDS",
                   lambda: calls.append(1) or len(calls))
    job.calls = calls
    yield job
    job.uninstall()


def test_runs_at_once_then_not_before_the_interval(job, clock):
    assert job.run_if_due() == (True, 1)
    clock["value"] += 299.9
    assert job.run_if_due() == (False, None)
    clock["value"] += 0.1  # 300 s after the first run
    assert job.run_if_due() == (True, 2)
    assert job.calls == [1, 1]


def test_the_setting_is_read_at_each_check_and_zero_turns_it_off(job, clock, settings):
    settings.GRIDGOV_TEST_PERIODIC_SECONDS = 0
    assert job.run_if_due() == (False, None)
    del settings.GRIDGOV_TEST_PERIODIC_SECONDS  # unset: off as well
    assert job.run_if_due() == (False, None)
    settings.GRIDGOV_TEST_PERIODIC_SECONDS = 60
    assert job.run_if_due() == (True, 1)
    clock["value"] += 60
    assert job.run_if_due() == (True, 2)


def test_reset_makes_it_due_again(job, clock):
    job.run_if_due()
    job.reset()
    assert job.run_if_due() == (True, 2)


def test_one_thread_at_a_time(job, clock):
    """While one thread runs the job, another thread finding it due skips it at once."""
    started, release = threading.Event(), threading.Event()
    runs = []

    def slow():
        runs.append(threading.current_thread().name)
        started.set()
        release.wait(5)
        return "done"

    job.fn = slow
    results = {}
    first = threading.Thread(target=lambda: results.update(first=job.run_if_due()), name="a")
    first.start()
    assert started.wait(5)
    job.next_due = 0.0  # as if the interval had passed while the first run is still going
    assert job.run_if_due() == (False, None)  # skipped, not waiting for the lock
    release.set()
    first.join(5)
    assert results["first"] == (True, "done")
    assert runs == ["a"]
    assert job.run_if_due() == (True, "done")  # the lock is free again


def test_a_failure_is_logged_and_retried_after_a_minute(job, clock, caplog):
    def broken():
        job.calls.append("broken")
        raise RuntimeError("database away")

    job.fn = broken
    job.failure = "the test job failed"
    assert job.run_if_due() == (False, None)
    assert "the test job failed; retrying in 60 s" in caplog.text
    assert "database away" in caplog.text
    clock["value"] += 59
    assert job.run_if_due() == (False, None)
    clock["value"] += 1
    assert job.run_if_due() == (False, None)
    assert job.calls == ["broken", "broken"]


def test_a_failure_is_retried_no_later_than_the_interval(job, clock, settings):
    settings.GRIDGOV_TEST_PERIODIC_SECONDS = 20
    job.fn = lambda: 1 / 0
    job.run_if_due()
    assert job.next_due == clock["value"] + 20


def test_installed_it_runs_after_a_response_once_per_interval(job, clock, client):
    job.install()
    job.install()  # idempotent: still one receiver
    assert client.get("/accounts/login/").status_code == 200
    assert job.calls == [1]
    client.get("/accounts/login/")
    assert job.calls == [1]
    job.uninstall()
    job.reset()
    client.get("/accounts/login/")
    assert job.calls == [1]


@pytest.mark.django_db
def test_the_job_and_the_test_share_a_working_connection(job, clock):
    """A job that reads and writes the database after a response, in a test's transaction:
    ``finish_response`` keeps PostgreSQL's connection open (plain ``request_finished.send``
    would let ``close_old_connections`` close it under the job)."""
    first = Department.objects.order_by("code").first()
    job.fn = lambda: Department.objects.filter(pk=first.pk).update(short_name="定时任务")
    job.install()
    finish_response()
    assert job.next_due == clock["value"] + 300  # it ran and did not fail
    assert connection.connection is not None
    assert Department.objects.get(pk=first.pk).short_name == "定时任务"
