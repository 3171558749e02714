"""定时任务: the system administrator sees each scheduled job's last run and runs one now."""

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.core.models import JobState

pytestmark = pytest.mark.django_db

PAGE = "/accounts/jobs/"


def test_the_page_lists_every_job_with_its_last_run(client_as, sys_admin, settings):
    settings.GRIDGOV_PURGE_SECONDS = 3600
    JobState.objects.create(name="deadline_scan", runs=3, failures=1, last_ok=False,
                            last_error="RuntimeError: database away", last_runner="scheduler",
                            last_started_at=timezone.now())
    response = client_as(sys_admin).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("audit_seal", "deadline_scan", "rules_run", "purge", "assess_freeze"):
        assert f'data-job="{name}"' in html
    assert "扫描临期与超期事件" in html and "database away" in html
    assert "服务进程调度线程" in html and "每 1 小时" in html


def test_run_now_runs_the_job_and_audits_it(client_as, sys_admin, settings):
    settings.GRIDGOV_PURGE_SECONDS = 3600
    response = client_as(sys_admin).post(reverse("accounts:run_job", args=["purge"]),
                                         follow=True)
    assert response.status_code == 200
    assert "任务已运行" in response.content.decode()
    state = JobState.objects.get(name="purge")
    assert state.runs == 1 and state.last_ok and state.last_runner == "manual"
    audit = AuditRecord.objects.filter(action="core.run_job", object_id="purge").get()
    assert "ran" in audit.changes and "True" in str(audit.changes["ran"])


def test_an_unknown_job_is_refused_with_the_reason(client_as, sys_admin):
    response = client_as(sys_admin).post(reverse("accounts:run_job", args=["no_such_job"]),
                                         follow=True)
    assert "没有名为“no_such_job”的定时任务" in response.content.decode()
    assert not AuditRecord.objects.filter(action="core.run_job").exists()


def test_only_the_system_administrator(client_as, sec_admin, dispatcher):
    for user in (sec_admin, dispatcher):
        client = client_as(user)
        assert client.get(PAGE).status_code == 403
        assert client.post(reverse("accounts:run_job", args=["purge"])).status_code == 403
    assert not JobState.objects.filter(name="purge", runs__gt=0).exists()
