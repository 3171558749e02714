"""The party API: reads narrowed by scope, ``updated_since``, writes through the actions.
Every write retried with the same Idempotency-Key is gridgov/core/tests/
test_retry_every_write.py's, with the examples of ``retry_examples``."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.party import actions
from gridgov.party.models import PartyMember, PartyOrganisation

from .support import make_person, make_tree, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return make_tree()


def test_lists_are_scoped_and_take_updated_since(party_gulou, api_as, tree):
    api = api_as(party_gulou)
    rows = api.get("/api/v1/party/organisations/?limit=100").json()["results"]
    assert {r["id"] for r in rows} == {tree.committee.pk, tree.branch.pk, tree.branch2.pk}
    later = timezone.now() + dt.timedelta(seconds=1)
    PartyOrganisation.objects.filter(pk=tree.branch.pk).update(
        updated_at=later + dt.timedelta(seconds=1))
    rows = api.get("/api/v1/party/organisations/", {"updated_since": later.isoformat()}).json()
    assert [r["id"] for r in rows["results"]] == [tree.branch.pk]
    bad = api.get("/api/v1/party/members/", {"updated_since": "yesterday"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "updated_since"
    m = member_of(tree.branch, "接口党员")
    body = api.get(f"/api/v1/party/members/{m.pk}/").json()
    assert body["person_name"] == "接口党员" and "id_number" not in body
    assert body["id_masked"].count("*") >= 8


def test_api_writes_validate_with_the_field(party_gulou, api_as, tree, gulou_grid):
    api = api_as(party_gulou)
    person, _n = make_person(gulou_grid, "接口新党员")
    response = api.post("/api/v1/party/members/", {
        "person": person.pk, "organisation": tree.branch.pk, "in_service": True},
        format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "work_unit"
    outside, _n = make_person(tree.other_branch.area, "外社区")
    response = api.post("/api/v1/party/members/", {
        "person": outside.pk, "organisation": tree.branch.pk}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "person"
    response = api.post(f"/api/v1/party/organisations/{tree.committee.pk}/term/", {
        "started_on": "2026-01-01", "ends_on": "2025-01-01"}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "ends_on"
    stale = api.patch(f"/api/v1/party/organisations/{tree.branch.pk}/", {
        "name": "改名", "expected_version": 7}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 1


def test_member_status_through_the_api_is_audited(party_gulou, api_as, tree):
    m = member_of(tree.branch, "出党党员")
    response = api_as(party_gulou).post(f"/api/v1/party/members/{m.pk}/status/",
                                        {"status": "left", "note": "自行脱党"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "left"
    assert PartyMember.objects.get(pk=m.pk).status == "left"
    assert AuditRecord.objects.filter(action="party.member_status",
                                      object_id=str(m.pk)).exists()


def test_api_lists_keep_their_query_counts(party_street, api_as, tree,
                                           django_assert_max_num_queries):
    from gridgov.party import actions

    for n in range(8):
        m = member_of(tree.branch if n % 2 else tree.other_branch, f"计数{n}")
        if n < 2:
            actions.appoint(tree.branch if n % 2 else tree.other_branch, member=m,
                            post="secretary", actor=None)
            actions.request_transfer(m, to_organisation=tree.branch2, actor=None)
    api = api_as(party_street)
    for path in ("organisations", "members", "posts", "transfers"):
        api.get(f"/api/v1/party/{path}/")
        with django_assert_max_num_queries(10):
            response = api.get(f"/api/v1/party/{path}/", {"limit": 100})
            assert response.status_code == 200 and response.json()["results"], path


def test_member_filters_are_the_pages(party_gulou, api_as, tree):
    a = member_of(tree.branch, "甲")
    b = member_of(tree.branch2, "乙", in_service=True, work_unit="某单位")
    gone = member_of(tree.branch, "丙")
    actions.change_member_status(gone, status="left", actor=party_gulou)
    api = api_as(party_gulou)

    def ids(**params):
        response = api.get("/api/v1/party/members/", params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {a.pk, b.pk}  # active by default
    assert ids(status="all") == {a.pk, b.pk, gone.pk}
    assert ids(organisation=tree.committee.pk) == {a.pk, b.pk}  # with the branches below
    assert ids(organisation=tree.branch.pk, status="all") == {a.pk, gone.pk}
    assert ids(in_service="true") == {b.pk}
    assert ids(q="甲") == {a.pk}
    outside = api.get("/api/v1/party/members/", {"organisation": tree.other_branch.pk})
    assert outside.status_code == 400
    assert outside.json()["errors"][0]["field"] == "organisation"
