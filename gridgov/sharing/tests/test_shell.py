"""待办: pending requests for the provider's publishers, disputes for the coordinator."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.core.access import get_scope
from gridgov.sharing import actions
from gridgov.sharing.models import ShareRequest
from gridgov.sharing.shell import disputes_to_resolve, requests_to_answer

pytestmark = pytest.mark.django_db


def test_provider_sees_pending_and_overdue(resource, dept_admin, data_officer):
    req = actions.request_share(resource, purpose="核对", fields=["name"], actor=dept_admin)
    ShareRequest.objects.filter(pk=req.pk).update(
        answer_deadline=timezone.now() - dt.timedelta(hours=1))
    (item,) = list(requests_to_answer(data_officer, get_scope(data_officer)))
    pending = ShareRequest.objects.filter(resource__provider_id=data_officer.department_id,
                                          status="pending").count()
    assert item.count == pending and item.severity == "danger"
    assert any(s.startswith("区综合行政执法局 · 高龄独居老人名册(") for s in item.samples)
    (consumer_item,) = list(requests_to_answer(dept_admin, get_scope(dept_admin)))
    assert consumer_item.count == 0


def test_home_page_shows_the_waiting_requests(client_as, resource, dept_admin, data_officer):
    actions.request_share(resource, purpose="核对", fields=["name"], actor=dept_admin)
    page = client_as(data_officer).get("/")
    assert "待答复的共享申请" in page.text


def test_coordinator_sees_disputes(resource, dept_admin, data_officer, settings):
    settings.GRIDGOV_COORDINATING_DEPARTMENT = "D034"
    req = actions.request_share(resource, purpose="核对", fields=["name"], actor=dept_admin)
    actions.refuse_request(req, reason="不符", actor=data_officer)
    actions.dispute_request(req, reason="职责所需", actor=dept_admin)
    (item,) = list(disputes_to_resolve(dept_admin, get_scope(dept_admin)))
    assert item.count == 1
