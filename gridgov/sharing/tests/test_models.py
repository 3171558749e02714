"""restrict_q of each model, role by role, directly on the querysets."""

import pytest

from gridgov.sharing import actions
from gridgov.sharing.models import ExchangeLog, Grant, Resource, ShareRequest

pytestmark = pytest.mark.django_db


def test_catalog_is_visible_to_every_principal_but_changed_by_its_provider(
        resource, grid_worker, dept_admin, data_officer, audit_admin, leader):
    for user in (grid_worker, dept_admin, data_officer, audit_admin, leader):
        assert Resource.objects.restrict(user).filter(pk=resource.pk).exists()
    assert Resource.objects.restrict(data_officer, "change").filter(pk=resource.pk).exists()
    for user in (dept_admin, grid_worker, leader, audit_admin):
        assert not Resource.objects.restrict(user, "change").filter(pk=resource.pk).exists()


def test_requests_reach_consumer_provider_and_coordinator_only(
        resource, dept_admin, data_officer, dept_handler, grid_worker, leader, audit_admin):
    req = actions.request_share(resource, purpose="核对", fields=["name"], actor=dept_admin)
    for user in (dept_admin, dept_handler, data_officer):
        assert ShareRequest.objects.restrict(user).filter(pk=req.pk).exists()
    for user in (grid_worker, leader, audit_admin):
        assert not ShareRequest.objects.restrict(user).filter(pk=req.pk).exists()


def test_grants_change_only_for_the_providers_publishers(granted, dept_admin, data_officer,
                                                         dept_handler):
    assert Grant.objects.restrict(dept_handler).filter(pk=granted.pk).exists()
    assert Grant.objects.restrict(data_officer, "change").filter(pk=granted.pk).exists()
    assert not Grant.objects.restrict(dept_admin, "change").filter(pk=granted.pk).exists()


def test_exchange_evidence_for_the_audit_admin_and_the_two_departments(
        granted, resource, dept_admin, data_officer, audit_admin, grid_worker, sys_admin):
    log = actions.log_exchange(actor=None, resource=resource, grant=granted,
                               channel="exchange", request_id="r1", case_id="",
                               params={}, row_count=0, sha256="0" * 64)
    for user in (audit_admin, dept_admin, data_officer):
        assert ExchangeLog.objects.restrict(user).filter(pk=log.pk).exists()
    for user in (grid_worker, sys_admin):
        assert not ExchangeLog.objects.restrict(user).filter(pk=log.pk).exists()
    assert not ExchangeLog.objects.restrict(audit_admin, "change").exists()
