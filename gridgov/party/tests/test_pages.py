"""The pages: the tree (secretary, member count, 换届 flags), an organisation's page, the
member list (filters, query-count guards), adding a member by ID number, the forms."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.party import actions
from gridgov.party.models import PartyMember, PartyOrganisation, PartyTerm

from .support import make_person, make_tree, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return make_tree()


def test_tree_shows_secretary_count_and_due_term(party_gulou, client_as, tree):
    secretary = member_of(tree.committee, "王书记")
    member_of(tree.committee, "李党员")
    actions.appoint(tree.committee, member=secretary, post="secretary", actor=party_gulou)
    overdue = PartyOrganisation.objects.get(pk=tree.branch.pk)
    overdue.term_ends_on = timezone.localdate() - dt.timedelta(days=3)
    overdue.save()
    response = client_as(party_gulou).get("/party/")
    assert response.status_code == 200
    html = response.content.decode()
    roots = response.context["roots"]
    assert [o.pk for o in roots] == [tree.committee.pk]
    committee = roots[0]
    assert committee.secretary_name == "王书记" and committee.member_count == 2
    member_of(tree.branch, "支部党员")
    committee = client_as(party_gulou).get("/party/").context["roots"][0]
    assert committee.member_count == 2 and committee.total_members == 3
    assert committee.flag == "due" and {o.pk for o in committee.nodes} == {
        tree.branch.pk, tree.branch2.pk}
    assert {o.pk: o.flag for o in response.context["due"]} == {
        tree.committee.pk: "due", tree.branch.pk: "overdue"}
    assert "换届已逾期" in html and "90 天内换届" in html and "王书记" in html
    assert tree.other_committee.name not in html


def test_tree_and_lists_keep_their_query_counts(party_street, client_as,
                                                django_assert_max_num_queries, tree):
    for n in range(12):
        member_of(tree.branch if n % 2 else tree.other_branch, f"党员{n}")
    client = client_as(party_street)
    client.get("/party/")
    with django_assert_max_num_queries(12):
        assert client.get("/party/").status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get("/party/members/")
        assert response.status_code == 200 and response.context["paginator"].count == 12
    with django_assert_max_num_queries(16):
        assert client.get(f"/party/orgs/{tree.branch.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/party/transfers/").status_code == 200


def test_member_list_filters(party_gulou, client_as, tree):
    a = member_of(tree.branch, "甲")
    member_of(tree.branch2, "乙", in_service=True, work_unit="某单位")
    gone = member_of(tree.branch, "丙")
    actions.change_member_status(gone, status="left", actor=party_gulou)
    client = client_as(party_gulou)
    page = client.get("/party/members/")
    assert page.context["paginator"].count == 2  # active by default
    names = lambda r: {m.person.name for m in r.context["page_obj"]}  # noqa: E731
    assert names(client.get("/party/members/", {"organisation": tree.branch.pk})) == {"甲"}
    assert names(client.get("/party/members/", {"in_service": "true"})) == {"乙"}
    assert names(client.get("/party/members/", {"status": "left"})) == {"丙"}
    assert names(client.get("/party/members/", {"organisation": tree.committee.pk})) == {
        "甲", "乙"}
    assert client.get(f"/party/members/{a.pk}/").status_code == 200


def test_add_member_by_id_number_copies_no_personal_data(party_gulou, client_as, tree,
                                                         gulou_grid):
    person, number = make_person(gulou_grid, "赵新党员")
    client = client_as(party_gulou)
    response = client.post("/party/members/new/", {
        "id_number": number, "organisation": tree.branch.pk, "kind": "probationary",
        "joined_on": "2025-07-01"})
    member = PartyMember.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == f"/party/members/{member.pk}/"
    assert member.area_code == tree.branch.area_code and member.kind == "probationary"
    assert AuditRecord.objects.filter(action="party.member_add",
                                      object_id=str(member.pk)).exists()
    # A second time: the field says why.
    again = client.post("/party/members/new/", {
        "id_number": number, "organisation": tree.branch.pk, "kind": "full"})
    assert again.status_code == 400 and "已是在册党员" in again.content.decode()
    # A person of another community is not found.
    _other, other_number = make_person(tree.other_branch.area, "外社区人员")
    missing = client.post("/party/members/new/", {
        "id_number": other_number, "organisation": tree.branch.pk, "kind": "full"})
    assert missing.status_code == 400 and "没有找到这个人员" in missing.content.decode()
    # From the person's page: ?person=<id>.
    third, _n = make_person(gulou_grid, "钱从人员页")
    page = client.get(f"/party/members/new/?person={third.pk}")
    assert "钱从人员页" in page.content.decode()
    client.post("/party/members/new/", {"person": third.pk, "organisation": tree.branch2.pk,
                                        "kind": "full"})
    assert PartyMember.objects.filter(person=third, organisation=tree.branch2).exists()


def test_create_org_set_term_and_appoint(party_gulou, client_as, tree, gulou_grid):
    client = client_as(party_gulou)
    response = client.post("/party/orgs/new/", {
        "name": "第一网格第二党小组", "kind": "group", "parent": tree.branch.pk,
        "area": gulou_grid.pk, "is_active": "on"})
    group = PartyOrganisation.objects.get(name="第一网格第二党小组")
    assert response.status_code == 302 and group.parent == tree.branch
    bad = client.post("/party/orgs/new/", {"name": "无上级党小组", "kind": "group",
                                           "area": gulou_grid.pk})
    assert bad.status_code == 400 and "党小组须设在" in bad.content.decode()
    start = timezone.localdate()
    response = client.post(f"/party/orgs/{tree.committee.pk}/term/", {
        "started_on": start.isoformat(), "ends_on": (start + dt.timedelta(days=1826)).isoformat(),
        "note": "第十一届", "expected_version": 1})
    assert response.status_code == 302
    tree.committee.refresh_from_db()
    assert tree.committee.term_started_on == start and tree.committee.version == 2
    assert PartyTerm.objects.filter(organisation=tree.committee, note="第十一届").exists()
    assert AuditRecord.objects.filter(action="party.term").exists()
    stale = client.post(f"/party/orgs/{tree.committee.pk}/term/", {
        "started_on": start.isoformat(), "ends_on": (start + dt.timedelta(days=1000)).isoformat(),
        "expected_version": 1})
    assert stale.status_code == 400
    m = member_of(tree.branch, "孙委员")
    response = client.post(f"/party/orgs/{tree.committee.pk}/posts/new/", {
        "member": m.pk, "post": "publicity", "started_on": start.isoformat()})
    assert response.status_code == 302
    assert m.posts.get().get_post_display() == "宣传委员"
    page = client.get(f"/party/orgs/{tree.committee.pk}/").content.decode()
    assert "孙委员" in page and "宣传委员" in page


def test_new_secretary_ends_the_previous_one(party_gulou, tree):
    first, second = member_of(tree.branch, "前任"), member_of(tree.branch, "继任")
    old = actions.appoint(tree.branch, member=first, post="secretary", actor=party_gulou)
    new = actions.appoint(tree.branch, member=second, post="secretary", actor=party_gulou)
    old.refresh_from_db()
    assert old.ended_on is not None and new.ended_on is None


def test_community_secretary_edits_the_committee_under_the_street(party_gulou, client_as,
                                                                   api_as, tree):
    """The committee's parent (the street's) lies above the secretary's area: kept."""
    client = client_as(party_gulou)
    page = client.get(f"/party/orgs/{tree.committee.pk}/edit/")
    assert page.status_code == 200 and "鼓楼街道党工委" in page.content.decode()
    response = client.post(f"/party/orgs/{tree.committee.pk}/edit/", {
        "name": "兴港社区党委(改)", "kind": "committee", "parent": tree.street.pk,
        "area": tree.committee.area_id, "is_active": "on", "expected_version": 1})
    assert response.status_code == 302
    tree.committee.refresh_from_db()
    assert tree.committee.parent == tree.street and tree.committee.version == 2
    response = api_as(party_gulou).patch(f"/api/v1/party/organisations/{tree.committee.pk}/",
                                         {"name": "兴港社区党委"}, format="json")
    assert response.status_code == 200 and response.json()["parent"] == tree.street.pk
    # Moving it under an organisation outside the secretary's areas is refused.
    response = api_as(party_gulou).patch(f"/api/v1/party/organisations/{tree.committee.pk}/",
                                         {"parent": tree.far.pk}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "parent"


def test_member_page_masks_the_birth_date_like_basic_data(party_gulou, client_as, tree):
    m = member_of(tree.branch, "生日党员")
    html = client_as(party_gulou).get(f"/party/members/{m.pk}/").content.decode()
    assert "1980-**-**" in html and "1980-05-01" not in html
    assert m.person.id_masked in html
