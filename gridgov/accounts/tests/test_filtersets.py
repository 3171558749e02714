"""DepartmentFilterSet: each filter on the demo departments, bad values through the API, and
that a filter only narrows what ``restrict()`` let through."""

import pytest

from gridgov.accounts import actions
from gridgov.accounts.filtersets import DepartmentFilterSet
from gridgov.accounts.models import Department

pytestmark = pytest.mark.django_db

LIST = "/api/departments/"


def codes(data, queryset=None):
    fs = DepartmentFilterSet(data, queryset=queryset if queryset is not None
                             else Department.objects.all())
    assert fs.is_valid(), fs.errors
    return set(fs.qs.values_list("code", flat=True))


def test_kind():
    government = codes({"kind": "government"})
    assert "D034" in government and "S330203005" not in government
    assert government == set(Department.objects.filter(kind="government")
                             .values_list("code", flat=True))
    assert codes({"kind": "street"}) == set(
        Department.objects.filter(kind="street").values_list("code", flat=True))


def test_area_is_exact_and_within_is_the_area_and_below(district, gulou_street, gulou_grid):
    assert codes({"area": gulou_street.code}) == {"S330203005"}
    district_level = codes({"area": district.code})
    assert "D034" in district_level and "S330203005" not in district_level
    street = actions.create_department(code="T901", name="鼓楼街道网格服务站", kind="other",
                                       area=gulou_grid, actor=None)
    assert codes({"within": gulou_street.code}) == {"S330203005", street.code}
    assert codes({"area": gulou_street.code}) == {"S330203005"}
    assert codes({"within": district.code}) == set(
        Department.objects.values_list("code", flat=True))


def test_q_searches_name_short_name_and_exact_code():
    assert codes({"q": "综合行政执法"}) == {"D034"}
    assert codes({"q": "民政局"}) == {"D016"}
    assert codes({"q": "综合执法"}) == {"D034"}  # the short name (the name has 行政 inside)
    assert "S330203101" in codes({"q": "民政"})  # 高桥镇人民政府: any part of the name
    assert codes({"q": "d016"}) == {"D016"}
    assert codes({"q": "D01"}) == set()  # a code matches whole, not as a prefix
    assert len(codes({"q": "   "})) == Department.objects.count()


def test_is_active():
    assert codes({"is_active": "true"}) == set(
        Department.objects.filter(is_active=True).values_list("code", flat=True))
    assert codes({"is_active": "false"}) == set(
        Department.objects.filter(is_active=False).values_list("code", flat=True))
    assert codes({"is_active": "true"}) != codes({"is_active": "false"})


def test_filters_combine():
    assert codes({"kind": "government", "q": "民政"}) == {"D016"}
    assert codes({"kind": "party", "q": "民政"}) == set()
    assert codes({"kind": "street", "q": "民政"}) == set(
        Department.objects.filter(kind="street", name__contains="人民政府")
        .values_list("code", flat=True))


@pytest.mark.parametrize("data,field", [
    ({"kind": "army"}, "kind"),
    ({"area": "33a"}, "area"),
    ({"within": "x"}, "within"),
    ({"area": "3302030050010011"}, "area"),  # 16 digits: longer than any code
])
def test_invalid_values_name_the_field(data, field):
    fs = DepartmentFilterSet(data, queryset=Department.objects.all())
    assert not fs.is_valid()
    assert field in fs.errors


@pytest.mark.parametrize("data,field", [
    ({"kind": "army"}, "kind"), ({"area": "33a"}, "area"), ({"within": "x"}, "within"),
])
def test_the_api_answers_bad_filters_with_400_and_the_field(api_as, leader, data, field):
    response = api_as(leader).get(LIST, data)
    assert response.status_code == 400
    assert field in {e["field"] for e in response.json()["errors"]}


def test_the_api_filters(api_as, leader):
    body = api_as(leader).get(LIST, {"kind": "street", "within": "330203005"}).json()
    assert [r["code"] for r in body["results"]] == ["S330203005"]


def test_filters_never_widen_the_scope(leader, sys_admin):
    # Everybody reads the department list; only the system administrator changes it.
    changeable = Department.objects.restrict(leader, "change")
    assert not codes({"kind": "government"}, changeable)
    assert not codes({"within": "330203"}, changeable)
    assert codes({"q": "民政局"}, Department.objects.restrict(sys_admin, "change")) == {"D016"}
