"""Freezing a period as a background job (``assess.freeze``, inline in tests): the same
snapshot as the direct freeze, a report per step, a cancel that keeps nothing, a run again
after a restart."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gridgov.assess import actions
from gridgov.assess.actions import default_scheme, freeze_assessment
from gridgov.assess.choices import SubjectKind
from gridgov.assess.models import Snapshot, SnapshotCase, SnapshotResult
from gridgov.background import runner
from gridgov.background.actions import submit_job
from gridgov.background.choices import JobStatus
from gridgov.background.models import BackgroundJob

from .support import MARCH

pytestmark = pytest.mark.django_db


def _results(snapshot):
    return sorted(SnapshotResult.objects.filter(snapshot=snapshot).values_list(
        "kind", "subject", "score", "rank"))


def _params():
    return {"period_kind": MARCH.kind, "day": MARCH.start.isoformat(),
            "scheme": default_scheme().pk}


def test_the_job_freezes_the_same_snapshot(big, small, leader):
    direct = freeze_assessment(MARCH, default_scheme(), actor=leader)
    job = submit_job("assess.freeze", actor=leader, params=_params())
    assert job.status == JobStatus.DONE, job.error
    made = Snapshot.objects.get(pk=job.result["snapshot"])
    assert made.version == direct.version + 1 and job.result["version"] == made.version
    assert made.case_count == direct.case_count == job.result["cases"]
    assert _results(made) and [r[1:] for r in _results(made)] == [
        r[1:] for r in _results(direct)]
    assert job.total == 2 + len(SubjectKind.values)


def test_only_who_may_freeze(big, dispatcher):
    with pytest.raises(PermissionDenied):
        submit_job("assess.freeze", actor=dispatcher, params=_params())


def test_steps_are_reported_and_a_cancel_keeps_nothing(big, leader, monkeypatch):
    steps = []

    class Cancelling:
        def __call__(self, done, total=None, message="", force=False):
            steps.append(("report", done, total))

        def check(self):
            steps.append("check")
            if len(steps) == 4:  # cases stored and two subject kinds ranked
                raise runner.registry.Cancelled()

    with pytest.raises(runner.registry.Cancelled):
        freeze_assessment(MARCH, default_scheme(), actor=leader, progress=Cancelling())
    assert steps == [("report", 0, 2 + len(SubjectKind.values)), "check", "check", "check"]
    assert not Snapshot.objects.exists() and not SnapshotCase.objects.exists()


def test_a_cancel_requested_through_the_job_keeps_nothing(big, leader, monkeypatch):
    job = BackgroundJob.objects.create(kind="assess.freeze", created_by=leader,
                                       params=_params())
    real = actions._freeze_steps

    def cancel_after_cases(progress):
        step = real(progress)

        def wrapped(n, message):
            if n == 2:
                BackgroundJob.objects.filter(pk=job.pk).update(cancel_requested=True)
            step(n, message)
        return wrapped

    monkeypatch.setattr(actions, "_freeze_steps", cancel_after_cases)
    assert runner.run(job.pk) == JobStatus.CANCELLED
    assert not Snapshot.objects.exists()


def test_a_freeze_whose_server_restarted_runs_again(big, leader, monkeypatch):
    monkeypatch.setattr(runner, "dispatch", runner.run)
    old = timezone.now() - dt.timedelta(minutes=5)
    job = BackgroundJob.objects.create(kind="assess.freeze", created_by=leader,
                                       params=_params(), status=JobStatus.RUNNING,
                                       attempts=1, heartbeat_at=old, started_at=old)
    runner.resume()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Snapshot.objects.get().version == 1


def test_the_ranking_page_button_freezes_and_shows_the_job(big, client_as, district_leader,
                                                           grid_worker):
    from django.urls import reverse

    query = "?period=month&date=2020-03-10&kind=department"
    before = Snapshot.objects.count()
    response = client_as(district_leader).post(reverse("assess:freeze") + query)
    assert response.status_code == 302 and "job=" in response["Location"]
    assert Snapshot.objects.count() == before + 1
    job = BackgroundJob.objects.get(kind="assess.freeze")
    assert job.status == JobStatus.DONE and job.params["period_kind"] == "month"
    page = client_as(district_leader).get(response["Location"])
    assert page.status_code == 200
    assert job.result["period"] in page.content.decode()  # the summary of the finished job
    # Only the holders of assess.freeze see the button or may press it; nobody else's job shows.
    assert client_as(grid_worker).post(reverse("assess:freeze") + query).status_code == 403
    custom = client_as(district_leader).post(
        reverse("assess:freeze") + "?period=custom&start=2020-03-01&end=2020-03-05")
    assert custom.status_code == 302 and Snapshot.objects.count() == before + 1
