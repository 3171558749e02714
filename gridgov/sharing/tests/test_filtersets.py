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
