"""The basic-data import and the large export run as background jobs (inline in tests):
the page starts the job and follows it, the job does what the request did before (same rows
imported, same file exported), reports progress, a cancel keeps nothing, and a job whose
server restarted finishes."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.background import files, runner
from gridgov.background.choices import JobStatus
from gridgov.background.models import BackgroundJob
from gridgov.basedata import importers
from gridgov.basedata.models import House, ImportBatch, Person

pytestmark = pytest.mark.django_db

HOUSE_HEADER = ["标准地址", "单元", "房号", "用途", "产权人", "出租状态", "网格编码"]


def _csv(rows, header) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _people(id_number, grid):
    return _csv([["甲", id_number(), grid.code], ["乙", "123", grid.code],
                 ["丙", id_number(female=True), grid.code]], ["姓名", "身份证号", "网格编码"])


def _houses(grid, n=3):
    return _csv([[f"作业楼{i}号", "1单元", "101", "住宅", "", "", grid.code] for i in range(n)],
                HOUSE_HEADER)


class Rollback(Exception):
    pass


def _outcome(batch):
    people = sorted(Person.objects.filter(import_batch=batch).values_list("name", "id_hash"))
    return ((batch.total_rows, batch.created_rows, batch.updated_rows, batch.rejected_rows),
            importers.report_csv(batch), people)


def test_the_page_imports_through_a_job_with_the_same_result(client_as, grid_worker,
                                                             gulou_grid, id_number):
    data = _people(id_number, gulou_grid)
    # What the synchronous import makes of the file (then undone).
    with pytest.raises(Rollback), transaction.atomic():
        expected = _outcome(importers.run_import("people", data, "p.csv", actor=grid_worker))
        raise Rollback
    client = client_as(grid_worker)
    response = client.post(reverse("basedata:import"),
                           {"kind": "people", "file": SimpleUploadedFile("p.csv", data)})
    job = BackgroundJob.objects.get(kind="basedata.import")
    assert response.url == f"{reverse('basedata:import')}?job={job.uid}"
    assert job.status == JobStatus.DONE and job.created_by == grid_worker
    batch = ImportBatch.objects.get()
    assert _outcome(batch) == expected
    assert job.result == {"batch": batch.pk, "total": 3, "created": 2, "updated": 0,
                          "rejected": 1}
    # The upload was stored privately and is gone once read.
    assert job.params["upload"].startswith(files.PREFIX + "/uploads/")
    assert not default_storage.exists(job.params["upload"])
    assert client.get(response.url).url == reverse("basedata:import-result", args=[batch.pk])


def test_another_person_cannot_follow_the_import(client_as, grid_worker, grid_worker2,
                                                 gulou_grid, id_number):
    client_as(grid_worker).post(reverse("basedata:import"), {
        "kind": "people", "file": SimpleUploadedFile("p.csv", _people(id_number, gulou_grid))})
    job = BackgroundJob.objects.get(kind="basedata.import")
    url = f"{reverse('basedata:import')}?job={job.uid}"
    assert client_as(grid_worker2).get(url).status_code == 404
    assert client_as(grid_worker).get(f"{reverse('basedata:import')}?job=nope").status_code == 404


def test_a_running_import_shows_its_progress_bar(client_as, grid_worker):
    job = BackgroundJob.objects.create(kind="basedata.import", created_by=grid_worker,
                                       status=JobStatus.RUNNING, done=400, total=1000,
                                       message="已校验 400 / 1000 行",
                                       params={"kind": "people", "upload": "x",
                                               "filename": "p.csv"})
    page = client_as(grid_worker).get(f"{reverse('basedata:import')}?job={job.uid}")
    html = page.content.decode()
    assert page.status_code == 200 and "<progress" in html and "400 / 1000" in html
    assert reverse("background:cancel", args=[job.uid]) in html


def test_a_file_refused_as_a_whole_is_shown_on_the_form(client_as, grid_worker):
    response = client_as(grid_worker).post(reverse("basedata:import"), {
        "kind": "people", "file": SimpleUploadedFile("p.csv", b"")})
    # An empty upload is refused by the form itself, before any job.
    assert response.status_code == 400 and not BackgroundJob.objects.exists()
    response = client_as(grid_worker).post(reverse("basedata:import"), {
        "kind": "people", "file": SimpleUploadedFile("p.pdf", b"%PDF-1.4")})
    job = BackgroundJob.objects.get()
    assert job.status == JobStatus.DONE and job.result["errors"]
    page = client_as(grid_worker).get(response.url)
    assert page.status_code == 400 and "只支持 CSV 或 XLSX 文件" in page.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_import_reports_progress_per_batch_of_rows(grid_worker, gulou_grid, monkeypatch):
    monkeypatch.setattr(importers, "PROGRESS_ROWS", 2)
    reports, checks = [], []

    class Recorder:
        def __call__(self, done, total=None, message="", force=False):
            reports.append((done, total))

        def check(self):
            checks.append(1)

    batch = importers.run_import("houses", _houses(gulou_grid, 5), "h.csv",
                                 actor=grid_worker, progress=Recorder())
    assert batch.created_rows == 5
    assert reports == [(0, 5), (0, 5), (2, 5), (4, 5), (5, 5)]
    assert len(checks) == 3  # rows 0, 2 and 4 of the writing step


def _queued_import(user, data, kind="houses"):
    upload = files.save_upload(data, "h.csv")
    return BackgroundJob.objects.create(kind="basedata.import", created_by=user, params={
        "kind": kind, "upload": upload, "filename": "h.csv"})


def test_a_cancel_while_writing_keeps_nothing(grid_worker, gulou_grid, monkeypatch):
    monkeypatch.setattr(importers, "PROGRESS_ROWS", 1)
    job = _queued_import(grid_worker, _houses(gulou_grid, 3))
    real = importers._cancel_check

    def cancel_at_second_row(progress):
        check = real(progress)

        def tick(i):
            if i == 1:  # the first house is written by now
                assert House.objects.filter(address="作业楼0号").exists()
                BackgroundJob.objects.filter(pk=job.pk).update(cancel_requested=True)
            check(i)
        return tick

    monkeypatch.setattr(importers, "_cancel_check", cancel_at_second_row)
    assert runner.run(job.pk) == JobStatus.CANCELLED
    assert not House.objects.filter(address__startswith="作业楼").exists()
    assert not ImportBatch.objects.exists()
    assert not AuditRecord.objects.filter(action="basedata.import.houses").exists()
    assert not default_storage.exists(job.params["upload"])


def test_an_import_whose_server_restarted_finishes(grid_worker, gulou_grid, monkeypatch):
    monkeypatch.setattr(runner, "dispatch", runner.run)
    job = _queued_import(grid_worker, _houses(gulou_grid, 2))
    old = timezone.now() - dt.timedelta(minutes=5)
    BackgroundJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1,
                                                   heartbeat_at=old, started_at=old)
    assert runner.resume()["requeued"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2
    assert job.result["created"] == 2 and House.objects.filter(
        address__startswith="作业楼").count() == 2


# --- exports ---------------------------------------------------------------------------------


def _download(client, job):
    html = client.get(reverse("background:job", args=[job.uid])).content.decode()
    url = re.search(r'id="gg-job-download" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_large_export_runs_as_a_job_with_the_same_rows(client_as, leader, settings, fmt):
    import openpyxl

    client = client_as(leader)
    url = reverse("basedata:export", args=["houses", fmt])
    inline = client.get(url, {"q": "路"})
    assert inline.status_code == 200  # small: the answer is the file, as before
    settings.GRIDGOV_EXPORT_INLINE_ROWS = 1
    response = client.get(url, {"q": "路"})
    job = BackgroundJob.objects.get(kind="basedata.export")
    assert response.status_code == 302
    assert response.url == reverse("background:job", args=[job.uid])
    data = _download(client, job)
    if fmt == "csv":
        assert data == inline.content
    else:
        def rows(raw):
            return list(openpyxl.load_workbook(io.BytesIO(raw)).active.iter_rows(
                values_only=True))
        assert rows(data) == rows(inline.content)
    assert job.result["rows"] > 1
    # Audited as the page's own export: the same record, rows and filters.
    inline_rec, job_rec = AuditRecord.objects.filter(
        action="basedata.export.houses").order_by("id")
    assert job_rec.changes == inline_rec.changes and job_rec.actor_name == leader.username


def test_people_export_job_needs_the_people_permission(client_as, grid_worker, settings):
    settings.GRIDGOV_EXPORT_INLINE_ROWS = 0
    response = client_as(grid_worker).get(reverse("basedata:export", args=["people", "csv"]))
    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and job.kind == "basedata.export_people"
    assert job.status == JobStatus.DONE
