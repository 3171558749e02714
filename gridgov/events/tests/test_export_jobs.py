"""The search export of more cases than the request answers inline runs as a background job
(``events.search_export``, inline in tests): same file, same audit record, downloaded from
the job's page by the person who started it only."""

import re

import pytest
from django.urls import reverse

from gridgov.audit.models import AuditRecord
from gridgov.background import files
from gridgov.background.choices import JobStatus
from gridgov.background.models import BackgroundJob
from gridgov.core import personal_data

pytestmark = pytest.mark.django_db


def _download(client, job):
    html = client.get(reverse("background:job", args=[job.uid])).content.decode()
    url = re.search(r'id="gg-job-download" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    response = client.get(url)
    assert response.status_code == 200
    return url, b"".join(response.streaming_content)


def test_a_large_search_export_is_a_job_with_the_same_file(client_as, dispatcher, leader,
                                                           settings):
    client = client_as(dispatcher)
    url = reverse("events:search_export", args=["csv"])
    inline = client.get(url, {"sort": "-created"})
    assert inline.status_code == 200 and not BackgroundJob.objects.exists()
    settings.GRIDGOV_EXPORT_INLINE_ROWS = 1
    response = client.get(url, {"sort": "-created"})
    job = BackgroundJob.objects.get(kind="events.search_export")
    assert response.status_code == 302
    assert response.url == reverse("background:job", args=[job.uid])
    assert job.status == JobStatus.DONE and job.params["fmt"] == "csv"
    assert personal_data.decrypt(job.params["query"], files.QUERY_PURPOSE) == "sort=-created"
    link, data = _download(client, job)
    assert data == inline.content and job.result["rows"] > 1
    inline_rec, job_rec = AuditRecord.objects.filter(
        action="events.search_export").order_by("id")
    assert job_rec.changes == inline_rec.changes and job_rec.actor_id == dispatcher.pk
    assert client_as(leader).get(link).status_code == 404


def test_a_bad_filter_is_refused_before_any_job(client_as, dispatcher, settings):
    settings.GRIDGOV_EXPORT_INLINE_ROWS = 0
    response = client_as(dispatcher).get(reverse("events:search_export", args=["xlsx"]),
                                         {"created_after": "2026-02-30"})
    assert response.status_code == 400 and not BackgroundJob.objects.exists()

