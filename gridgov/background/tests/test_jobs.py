"""Background jobs: submitted from a page, run outside the request with progress, cancelled
on request, picked up again after the server restarted, watched only by their owner."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.background import actions, registry, runner
from gridgov.background.choices import JobStatus
from gridgov.background.models import BackgroundJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def counting():
    """A kind that counts to ``n``, reporting each step (and one that fails)."""
    seen = []

    def count(progress, actor, n=5):
        for i in range(n):
            progress(i + 1, n, f"第 {i + 1} 步", force=True)
            seen.append(i)
        return {"counted": n, "by": actor.username}

    def broken(progress, actor):
        raise RuntimeError("disk full")

    registry.register("test.count", count, label="计数", permission="events.view",
                      params=("n",), summary=lambda r: [("计数", r["counted"])])
    registry.register("test.broken", broken, label="失败", permission="events.view")
    yield seen
    registry.KINDS.pop("test.count", None)
    registry.KINDS.pop("test.broken", None)


def test_a_job_runs_reports_progress_and_keeps_its_result(counting, dispatcher):
    job = actions.submit_job("test.count", actor=dispatcher, params={"n": 3})
    assert job.status == JobStatus.DONE and job.attempts == 1
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert job.result == {"counted": 3, "by": "dispatch_gulou"}
    assert AuditRecord.objects.filter(action="background.submit",
                                      object_id=str(job.uid)).exists()


def test_a_failure_is_kept_with_its_error(counting, dispatcher):
    job = actions.submit_job("test.broken", actor=dispatcher)
    assert job.status == JobStatus.FAILED and "disk full" in job.error


def test_bad_submissions_are_refused_with_the_reason(counting, dispatcher, grid_worker):
    with pytest.raises(ValidationError) as unknown:
        actions.submit_job("test.nope", actor=dispatcher)
    assert "kind" in unknown.value.message_dict
    with pytest.raises(ValidationError) as param:
        actions.submit_job("test.count", actor=dispatcher, params={"m": 1})
    assert "params" in param.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.submit_job("audit.verify", actor=grid_worker)
    assert not BackgroundJob.objects.exists()


def test_cancel_stops_the_work_at_its_next_report(counting, dispatcher, settings):
    settings.GRIDGOV_BACKGROUND_MODE = "thread"  # submitted, not run: the test runs it
    job = BackgroundJob.objects.create(kind="test.count", params={"n": 10},
                                       created_by=dispatcher)
    original = registry.KINDS["test.count"].fn

    def cancel_midway(progress, actor, n):
        def step(done, total=None, message="", force=False):
            if done == 4:
                actions.cancel_job(BackgroundJob.objects.get(pk=job.pk), actor=dispatcher)
            progress(done, total, message, force=True)
        return original(step, actor, n=n)

    registry.register("test.count", cancel_midway, label="计数", permission="events.view",
                      params=("n",))
    assert runner.run(job.pk) == JobStatus.CANCELLED
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and job.done == 4 and counting == [0, 1, 2]
    with pytest.raises(ValidationError):
        actions.cancel_job(job, actor=dispatcher)  # finished: nothing to cancel


def test_a_queued_job_is_cancelled_at_once(counting, dispatcher):
    job = BackgroundJob.objects.create(kind="test.count", created_by=dispatcher)
    actions.cancel_job(job, actor=dispatcher)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert runner.run(job.pk) is None  # nothing left to run


def test_a_job_whose_server_restarted_runs_again(counting, dispatcher, monkeypatch):
    """The runner died mid-job (no heartbeat for a minute): the scheduled resume queues it
    again and another runner takes it; after three runs it is given up."""
    dispatched = []
    monkeypatch.setattr(runner, "dispatch", lambda pk: dispatched.append(pk) or runner.run(pk))
    old = timezone.now() - dt.timedelta(minutes=5)
    job = BackgroundJob.objects.create(kind="test.count", params={"n": 2},
                                       created_by=dispatcher, status=JobStatus.RUNNING,
                                       attempts=1, runner="host:1:gone", heartbeat_at=old,
                                       started_at=old)
    assert runner.resume() == {"requeued": 1, "failed": 0, "dispatched": 1}
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2 and dispatched == [job.pk]
    given_up = BackgroundJob.objects.create(kind="test.count", created_by=dispatcher,
                                            status=JobStatus.RUNNING, attempts=3,
                                            heartbeat_at=old)
    runner.resume()
    given_up.refresh_from_db()
    assert given_up.status == JobStatus.FAILED and "重启" in given_up.error


def test_two_runners_never_run_one_job_twice(counting, dispatcher):
    job = BackgroundJob.objects.create(kind="test.count", params={"n": 1},
                                       created_by=dispatcher)
    assert runner.run(job.pk) == JobStatus.DONE
    assert runner.run(job.pk) is None
    assert counting == [0]


def test_the_pages_show_progress_and_result_to_the_owner_only(counting, client_as, dispatcher,
                                                              leader):
    job = actions.submit_job("test.count", actor=dispatcher, params={"n": 2})
    page = client_as(dispatcher).get(reverse("background:job", args=[job.uid]))
    html = page.content.decode()
    assert page.status_code == 200 and "已完成" in html and "计数" in html
    fragment = client_as(dispatcher).get(reverse("background:progress", args=[job.uid]),
                                         HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and fragment["HX-Refresh"] == "true"
    assert job.uid.hex[:8] in client_as(dispatcher).get(
        reverse("background:list")).content.decode().replace("-", "")
    for url in (reverse("background:job", args=[job.uid]),
                reverse("background:progress", args=[job.uid])):
        assert client_as(leader).get(url).status_code == 404
    assert client_as(leader).post(reverse("background:cancel", args=[job.uid])).status_code == 404


def test_a_running_job_polls_and_can_be_cancelled_from_its_page(counting, client_as,
                                                                dispatcher):
    job = BackgroundJob.objects.create(kind="test.count", created_by=dispatcher,
                                       status=JobStatus.RUNNING, done=3, total=12,
                                       message="第 3 步", heartbeat_at=timezone.now())
    html = client_as(dispatcher).get(reverse("background:job", args=[job.uid])).content.decode()
    assert 'hx-trigger="every 1000ms"' in html and "3 / 12" in html and "<progress" in html
    response = client_as(dispatcher).post(reverse("background:cancel", args=[job.uid]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.cancel_requested and job.status == JobStatus.RUNNING


def test_in_thread_mode_the_submission_returns_and_a_thread_runs_it(
        counting, dispatcher, settings, monkeypatch, django_capture_on_commit_callbacks):
    """Without a broker the job starts in a thread of the server once the submission is
    committed; the request that submitted it does not wait for the work."""
    settings.GRIDGOV_BACKGROUND_MODE = "thread"
    ran, done = [], threading.Event()

    def fake_run(pk):  # the thread's own database work is the runner's, tested above
        ran.append((pk, threading.current_thread().name))
        done.set()

    monkeypatch.setattr(runner, "run", fake_run)
    with django_capture_on_commit_callbacks(execute=True):
        job = actions.submit_job("test.count", actor=dispatcher)
        assert ran == []  # nothing starts before the submission is committed
    assert job.status == JobStatus.QUEUED
    assert done.wait(10)
    assert ran == [(job.pk, f"gridgov-job-{job.pk}")]


def test_with_a_broker_the_job_goes_to_a_celery_worker(counting, dispatcher, settings,
                                                       monkeypatch,
                                                       django_capture_on_commit_callbacks):
    from celery import current_app

    settings.GRIDGOV_BACKGROUND_MODE = ""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args: sent.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        job = actions.submit_job("test.count", actor=dispatcher)
    assert sent == [("gridgov.background.tasks.run_background_job", [job.pk])]


def test_a_job_whose_thread_is_alive_here_is_not_run_twice(counting, dispatcher):
    """SQLite: a long import holds the write lock, so its heartbeat cannot be written; the
    resume of the same process sees the job's thread alive and leaves the job alone."""
    release = threading.Event()
    thread = threading.Thread(target=release.wait, name="gridgov-job-test-alive", daemon=True)
    thread.start()
    try:
        old = timezone.now() - dt.timedelta(minutes=5)
        prefix = runner.holder().rsplit(":", 1)[0]
        job = BackgroundJob.objects.create(kind="test.count", created_by=dispatcher,
                                           status=JobStatus.RUNNING, attempts=1,
                                           runner=f"{prefix}:gridgov-job-test-alive",
                                           heartbeat_at=old, started_at=old)
        assert runner.resume()["requeued"] == 0
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING
    finally:
        release.set()
        thread.join(5)
    assert runner.resume()["requeued"] == 1  # its thread gone: the runner was lost
