"""The FilterSets narrow restricted querysets and never widen them."""

import pytest

from gridgov.sharing.filtersets import ResourceFilterSet, ShareRequestFilterSet
from gridgov.sharing.models import Resource, ShareRequest

from .conftest import make_resource

pytestmark = pytest.mark.django_db


def test_resource_filters(resource, data_officer, minzheng, dept_admin):
    other = make_resource(minzheng, data_officer, sharing_type="unconditional",
                          name="残疾人名册", catalog="007", tags=["残疾"], groups=[])
    base = Resource.objects.restrict(dept_admin).filter(pk__in=[resource.pk, other.pk])

    def codes(**params):
        return set(ResourceFilterSet(params, queryset=base).qs.values_list("pk", flat=True))

    assert codes(sharing_type="unconditional") == {other.pk}
    assert codes(tag="残疾") == {other.pk}
    assert codes(group="population") == {resource.pk}
    assert codes(q="残疾 名册") == {other.pk}
    assert codes(provider="D016") == {resource.pk, other.pk}
    invalid = ResourceFilterSet({"sharing_type": "sometimes"}, queryset=base)
    assert not invalid.is_valid() and "sharing_type" in invalid.errors


def test_request_filters_never_widen(resource, dept_admin, grid_worker, rf):
    from gridgov.sharing import actions

    req = actions.request_share(resource, purpose="核对", fields=["name"], actor=dept_admin)
    request = rf.get("/")
    request.user = dept_admin
    base = ShareRequest.objects.restrict(dept_admin)
    mine = ShareRequestFilterSet({"role": "consumer"}, queryset=base, request=request).qs
    assert req in mine
    theirs = ShareRequestFilterSet({"role": "provider"}, queryset=base, request=request).qs
    assert req not in theirs
    assert not ShareRequestFilterSet({"status": "pending"},
                                     queryset=ShareRequest.objects.restrict(grid_worker)).qs


def test_resource_category_and_scope(resource, data_officer, minzheng, dept_admin, sec_admin):
    from gridgov.sharing import actions

    other = make_resource(minzheng, data_officer, name="低保对象名册", category="2",
                          catalog="008")
    actions.set_published(other, published=False, actor=data_officer)
    mine = Resource.objects.filter(pk__in=[resource.pk, other.pk])

    def pks(user, **params):
        base = Resource.objects.restrict(user) & mine
        fs = ResourceFilterSet(params, queryset=base)
        assert fs.is_valid(), fs.errors
        return set(fs.qs.values_list("pk", flat=True))

    # The provider still sees its withdrawn entry; another department does not, whatever
    # it filters by.
    assert pks(data_officer, category="2") == {other.pk}
    assert pks(data_officer, category="1") == {resource.pk}
    assert pks(dept_admin, category="2") == set()
    assert pks(dept_admin, provider="D016") == {resource.pk}
    assert pks(sec_admin, q="低保") == set()


def test_request_status_overdue_and_resource(resource, dept_admin, data_officer, minzheng):
    import datetime as dt

    from django.utils import timezone

    from gridgov.sharing import actions

    pending = actions.request_share(resource, purpose="核对", fields=["name"], actor=dept_admin)
    free = make_resource(minzheng, data_officer, sharing_type="unconditional", name="养老机构名录",
                         catalog="009")
    approved = actions.request_share(free, purpose="走访", fields=["name"], actor=dept_admin)
    base = ShareRequest.objects.restrict(dept_admin).filter(pk__in=[pending.pk, approved.pk])

    def pks(**params):
        fs = ShareRequestFilterSet(params, queryset=base)
        assert fs.is_valid(), fs.errors
        return set(fs.qs.values_list("pk", flat=True))

    assert pks(status="pending") == {pending.pk}
    assert pks(status="approved") == {approved.pk}
    assert pks(resource=free.code) == {approved.pk}
    assert pks(overdue="true") == set()  # ten working days to answer
    assert pks(overdue="false") == {pending.pk, approved.pk}
    ShareRequest.objects.filter(pk=pending.pk).update(
        answer_deadline=timezone.now() - dt.timedelta(hours=1))
    assert pks(overdue="true") == {pending.pk}
    assert pks(overdue="false") == {approved.pk}
    for bad, field in (({"status": "lost"}, "status"), ({"role": "judge"}, "role")):
        fs = ShareRequestFilterSet(bad, queryset=base)
        assert not fs.is_valid() and field in fs.errors


def test_exchange_log_filters_and_scope(granted, resource, audit_admin, data_officer,
                                        dept_admin, grid_worker):
    import datetime as dt

    from django.utils import timezone

    from gridgov.sharing import actions
    from gridgov.sharing.filtersets import ExchangeLogFilterSet
    from gridgov.sharing.models import ExchangeLog

    logs = {
        channel: actions.log_exchange(
            actor=dept_admin, resource=resource, grant=granted, channel=channel,
            request_id=f"r-{channel}", case_id=f"案-{channel}", params={}, row_count=3,
            sha256="0" * 64)
        for channel in ("exchange", "ckan")
    }
    mine = ExchangeLog.objects.filter(pk__in=[log.pk for log in logs.values()])

    def channels(user, **params):
        fs = ExchangeLogFilterSet(params, queryset=ExchangeLog.objects.restrict(user) & mine)
        assert fs.is_valid(), fs.errors
        return {log.channel for log in fs.qs}

    assert channels(audit_admin) == {"exchange", "ckan"}
    assert channels(audit_admin, channel="ckan") == {"ckan"}
    assert channels(audit_admin, case_id="案-exchange") == {"exchange"}
    assert channels(audit_admin, resource=resource.code, consumer="D034") == {"exchange", "ckan"}
    assert channels(audit_admin, consumer="D016") == set()
    today = timezone.localdate()
    assert channels(audit_admin, since=today.isoformat()) == {"exchange", "ckan"}
    assert channels(audit_admin, since=(today + dt.timedelta(days=1)).isoformat()) == set()
    # The two departments concerned read it; a third department and the grid do not.
    assert channels(data_officer, channel="ckan") == {"ckan"}
    assert channels(dept_admin, case_id="案-ckan") == {"ckan"}
    assert channels(grid_worker, resource=resource.code) == set()
    bad = ExchangeLogFilterSet({"channel": "fax", "since": "today"},
                               queryset=ExchangeLog.objects.all())
    assert not bad.is_valid() and {"channel", "since"} <= set(bad.errors)
