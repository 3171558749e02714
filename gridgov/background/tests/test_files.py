"""Files of background jobs: an export's download link answers only the person who started
the job and only for a while; the files go a day after the job ended."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from gridgov.background import actions, files, registry
from gridgov.background.models import BackgroundJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def exporting():
    """A kind that writes a small file, as the export kinds do."""

    def export(progress, actor):
        progress(1, 1, "写入", force=True)
        return files.store_export(b"a,b\n1,2\n", "../x y.csv", "text/csv; charset=utf-8", 1)

    registry.register("test.export", export, label="导出", permission="events.view")
    yield
    registry.KINDS.pop("test.export", None)


def _link(client, job):
    html = client.get(reverse("background:job", args=[job.uid])).content.decode()
    start = html.index('id="gg-job-download" href="') + len('id="gg-job-download" href="')
    return html[start:html.index('"', start)].replace("&amp;", "&")


def test_the_job_page_offers_the_file_to_its_owner_only(exporting, client_as, dispatcher,
                                                        leader):
    job = actions.submit_job("test.export", actor=dispatcher)
    assert job.result["filename"] == "x_y.csv"  # no path, no space
    assert job.result["file"].startswith(files.PREFIX + "/exports/")
    owner = client_as(dispatcher)
    url = _link(owner, job)
    response = owner.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content) == b"a,b\n1,2\n"
    assert 'filename="x_y.csv"' in response["Content-Disposition"]
    # Someone else, with the very link: as if the job did not exist.
    assert client_as(leader).get(url).status_code == 404
    # The owner without the signed part, or with one of another job.
    assert owner.get(url.split("?")[0]).status_code == 404
    other = actions.submit_job("test.export", actor=dispatcher)
    assert owner.get(f"{url.split('?')[0]}?t={files.download_token(other)}").status_code == 404


def test_the_link_expires(exporting, client_as, dispatcher, monkeypatch):
    job = actions.submit_job("test.export", actor=dispatcher)
    owner = client_as(dispatcher)
    url = _link(owner, job)
    monkeypatch.setattr(files, "LINK_SECONDS", -1)
    assert owner.get(url).status_code == 404
    monkeypatch.setattr(files, "LINK_SECONDS", 600)
    assert owner.get(url).status_code == 200


def test_purge_deletes_files_a_day_after_the_job_ended(exporting, dispatcher):
    job = actions.submit_job("test.export", actor=dispatcher)
    upload = files.save_upload(b"x", "p.csv")
    leftover = BackgroundJob.objects.create(kind="test.export", created_by=dispatcher,
                                            status="failed", params={"upload": upload})
    BackgroundJob.objects.filter(pk__in=[job.pk, leftover.pk]).update(
        finished_at=timezone.now() - dt.timedelta(hours=23))
    assert files.purge_expired() == 0
    assert default_storage.exists(job.result["file"]) and default_storage.exists(upload)
    assert files.purge_expired(timezone.now() + dt.timedelta(hours=2)) == 2
    job.refresh_from_db()
    assert job.result["purged"] and not default_storage.exists(job.result["file"])
    assert not default_storage.exists(upload)
    assert not files.download_available(job)


def test_the_scheduled_purge_runs_it(exporting, dispatcher):
    from gridgov.core.autopurge import _purge

    job = actions.submit_job("test.export", actor=dispatcher)
    BackgroundJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - dt.timedelta(days=2))
    assert _purge()["job_files"] == 1


def test_an_upload_waits_for_its_job_encrypted(db):
    """An import file holds ID numbers and phones as typed: the stored copy shows none."""
    data = "姓名,身份证号,手机号\n王芳,11010519491231002X,13800138000\n".encode()
    upload = files.save_upload(data, "people.csv")
    with default_storage.open(upload, "rb") as handle:
        stored = handle.read()
    assert b"11010519491231002X" not in stored and b"13800138000" not in stored
    assert files.read_upload(upload) == data
    files.delete(upload)


def test_an_export_query_reaches_the_job_row_encrypted(rf, dispatcher):
    """A search by phone or ID number (``?q=``) is kept in the job's parameters sealed, and
    the job's stand-in request gets it back whole."""
    request = rf.get("/events/search/export/csv", {"q": "13905741234", "sort": "-created"})
    sealed = files.seal_query(request)
    assert "13905741234" not in sealed
    again = files.request_for(dispatcher, sealed)
    assert again.GET["q"] == "13905741234" and again.user == dispatcher
