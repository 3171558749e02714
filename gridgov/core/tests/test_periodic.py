"""``core.periodic.Periodic``: a scheduled job run at most every N seconds, once across
processes (its ``JobState`` row is the lock), one thread at a time, retried a minute after a
failure (audit.autoseal, events.autoscan ...)."""

import datetime as dt
import threading
import types
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from gridgov.accounts.models import Department
from gridgov.core import periodic
from gridgov.core.periodic import Periodic
from gridgov.core.tests.periodic_support import finish_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """The job's clocks, moved by hand (seconds): the process's monotonic clock and the wall
    clock the shared row is compared with move together."""
    now = {"value": 1000.0}
    base = timezone.now()
    monkeypatch.setattr(periodic, "time", types.SimpleNamespace(monotonic=lambda: now["value"]))
    monkeypatch.setattr(periodic, "wall_now",
                        lambda: base + dt.timedelta(seconds=now["value"] - 1000))
    return now


@pytest.fixture
def job(settings):
    settings.GRIDGOV_TEST_PERIODIC_SECONDS = 300
    calls = []
    job = Periodic(f"test_{uuid.uuid4().hex[:12]}", "GRIDGOV_TEST_PERIODIC_SECONDS",
                   lambda: calls.append(1) or len(calls))
    job.calls = calls
    yield job
    job.uninstall()
    periodic.JOBS.pop(job.name, None)


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


def test_make_due_makes_it_due_again_everywhere(job, clock):
    job.run_if_due()
    job.reset()  # this process checks again, but the shared row says it ran
    assert job.run_if_due() == (False, None)
    job.make_due()
    assert job.run_if_due() == (True, 2)


def test_one_thread_at_a_time(job, clock, monkeypatch):
    """While one thread runs the job, another thread finding it due skips it at once (the
    shared row is left out here: this is the process's own lock)."""
    monkeypatch.setattr(job, "_claim", lambda *args, **kwargs: True)
    monkeypatch.setattr(job, "_safely_finish", lambda *args, **kwargs: None)
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
    job.make_due()
    client.get("/accounts/login/")
    assert job.calls == [1]


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


# --- once across processes ------------------------------------------------------------------


def test_a_second_process_finding_it_due_skips_it_while_the_first_runs(job, clock):
    """Two processes (two ``Periodic`` of one name, each with its own lock and clock check)
    find the job due at once: the one that took the shared row runs it, the other skips."""
    other = Periodic(job.name, job.interval_setting, lambda: "other ran")
    inner = {}

    def first():
        inner["other"] = other.run_if_due()  # the second process, while the first runs
        return "first ran"

    job.fn = first
    assert job.run_if_due() == (True, "first ran")
    assert inner["other"] == (False, None)
    clock["value"] += 300
    other.reset()
    assert other.run_if_due() == (True, "other ran")  # due again: whoever comes first
    assert job.run_if_due() == (False, None)


def test_a_lease_left_by_a_dead_process_lapses(job, clock, settings):
    from gridgov.core.models import JobState

    settings.GRIDGOV_JOB_LEASE_SECONDS = 600
    JobState.objects.create(name=job.name, lease_holder="host:999:dead",
                            lease_until=periodic.wall_now() + dt.timedelta(seconds=600))
    assert job.run_if_due() == (False, None)
    clock["value"] += 600
    assert job.run_if_due() == (True, 1)


def test_the_row_keeps_the_last_run_for_the_page(job, clock):
    from gridgov.core.models import JobState

    job.run_if_due(runner="scheduler")
    state = JobState.objects.get(name=job.name)
    assert (state.runs, state.failures, state.last_ok, state.last_result) == (1, 0, True, "1")
    assert state.last_runner == "scheduler" and state.lease_until is None
    assert state.next_due_at == state.last_started_at + dt.timedelta(seconds=300)

    def broken():
        raise RuntimeError("database away")

    job.fn = broken
    clock["value"] += 300
    job.run_if_due()
    state.refresh_from_db()
    assert (state.runs, state.failures, state.last_ok) == (2, 1, False)
    assert "database away" in state.last_error and state.last_result == ""
    # Offered again a minute after the failure, in every process.
    assert state.next_due_at == state.last_started_at + dt.timedelta(seconds=60)


def test_run_now_runs_a_job_not_due_unless_another_process_holds_it(job, clock):
    assert job.run_if_due() == (True, 1)
    assert job.run_now() == (True, 2, "")
    other = Periodic(job.name, job.interval_setting, lambda: "x")
    job.fn = lambda: other.run_now()
    ran, inner, _error = job.run_now()
    assert ran and inner == (False, None, "")


def test_celery_beat_runs_the_jobs_through_the_shared_row(settings):
    from gridgov.core import tasks
    from gridgov.core.models import JobState

    scheduled = {entry["args"][0] for entry in settings.CELERY_BEAT_SCHEDULE.values()
                 if entry["task"] == "gridgov.core.tasks.run_job"}
    from gridgov.core.scheduler import load_jobs

    assert scheduled == set(load_jobs()) - {n for n in periodic.JOBS if n.startswith("test_")}
    settings.GRIDGOV_PURGE_SECONDS = 3600
    out = tasks.run_job.delay("purge").get()
    assert out["ran"] is True and set(out["result"]) == {"idempotency_records", "rate_counters",
                                                              "job_files"}
    assert JobState.objects.get(name="purge").last_runner == "beat"
    with pytest.raises(KeyError):
        tasks.run_job.delay("no_such_job").get()


def test_the_scheduler_thread_is_off_with_a_broker(settings):
    from gridgov.core import scheduler

    settings.GRIDGOV_SCHEDULER = "auto"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    assert scheduler.enabled() is False
    settings.CELERY_BROKER_URL = ""
    assert scheduler.enabled() is True
    settings.GRIDGOV_SCHEDULER = "off"
    assert scheduler.enabled() is False and scheduler.start() is False
