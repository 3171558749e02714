"""An audit-log export longer than the request answers inline runs as a background job
(``audit.export``, inline in tests): the same CSV, audited once when asked for, downloaded
from the job's page by the audit administrator who started it only."""

import re

import pytest
from django.db import transaction
from django.urls import reverse

from gridgov.audit.models import AuditRecord
from gridgov.audit.recorder import record
from gridgov.background.choices import JobStatus
from gridgov.background.models import BackgroundJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample():
    with transaction.atomic():
        for i in range(3):
            record("test.jobexport", object_type="test.thing", object_id=f"=x{i}",
                   after={"i": i})


def test_a_long_export_is_a_job_with_the_same_csv(client_as, audit_admin, sec_admin, sample,
                                                  settings):
    client = client_as(audit_admin)
    inline = client.get(reverse("audit:export"), {"action": "test.jobexport"})
    expected = b"".join(inline.streaming_content)
    settings.GRIDGOV_EXPORT_INLINE_ROWS = 2
    response = client.get(reverse("audit:export"), {"action": "test.jobexport"})
    job = BackgroundJob.objects.get(kind="audit.export")
    assert response.status_code == 302
    assert response.url == reverse("background:job", args=[job.uid])
    assert job.status == JobStatus.DONE and job.result["rows"] == 3
    assert job.result["filename"].startswith("audit-")
    html = client.get(response.url).content.decode()
    link = re.search(r'id="gg-job-download" href="([^"]+)"', html).group(1).replace("&amp;",
                                                                                    "&")
    download = client.get(link)
    assert b"".join(download.streaming_content) == expected
    # Asked for twice, audited twice (when asked for, as before).
    assert AuditRecord.objects.filter(action="audit.export").count() == 2
    assert client_as(sec_admin).get(link).status_code == 404
