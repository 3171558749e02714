"""Scope: a community secretary sees and changes only the community (else 404); members
checked in to an organisation of the community are visible but not changeable."""

import pytest

from gridgov.core.access import can
from gridgov.party import actions
from gridgov.party.models import PartyMember, PartyOrganisation

from .support import make_tree, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return make_tree()


def test_roles_hold_the_declared_permissions(party_gulou, party_street, member_gulou,
                                             grid_worker, leader, sys_admin):
    assert can(party_gulou, "party.manage") and can(party_street, "party.manage")
    assert can(leader, "party.view")
    # Membership is political information: a grid worker does not read the party's rolls.
    assert not can(grid_worker, "party.view") and not can(grid_worker, "party.manage")
    assert not can(member_gulou, "party.view") and not can(sys_admin, "party.view")


def test_community_secretary_sees_only_the_community(party_gulou, client_as, api_as, tree):
    mine = member_of(tree.branch, "本社区党员")
    theirs = member_of(tree.other_branch, "邻社区党员")
    seen = set(PartyOrganisation.objects.restrict(party_gulou))
    assert {tree.committee, tree.branch, tree.branch2} <= seen
    assert not seen & {tree.street, tree.other_committee, tree.other_branch, tree.far}
    client = client_as(party_gulou)
    assert client.get(f"/party/orgs/{tree.branch.pk}/").status_code == 200
    assert client.get(f"/party/orgs/{tree.other_committee.pk}/").status_code == 404
    assert client.get(f"/party/orgs/{tree.far.pk}/").status_code == 404
    assert client.get(f"/party/members/{mine.pk}/").status_code == 200
    assert client.get(f"/party/members/{theirs.pk}/").status_code == 404
    assert client.get(f"/party/members/{theirs.pk}/edit/").status_code == 404
    api = api_as(party_gulou)
    assert api.get(f"/api/v1/party/organisations/{tree.other_branch.pk}/").status_code == 404
    assert api.get(f"/api/v1/party/members/{theirs.pk}/").status_code == 404
    ids = {row["id"] for row in api.get("/api/v1/party/members/?limit=100").json()["results"]}
    assert mine.pk in ids and theirs.pk not in ids
    # Writing outside: 404 from the page, and the action refuses too.
    response = client.post(f"/party/members/{theirs.pk}/status/", {"status": "left"})
    assert response.status_code == 404
    with pytest.raises(Exception) as exc:
        actions.change_member_status(theirs, status="left", actor=party_gulou)
    assert exc.type.__name__ == "Http404"
    theirs.refresh_from_db()
    assert theirs.status == "active"


def test_name_search_only_over_rows_in_scope(party_gulou, client_as, tree):
    member_of(tree.branch, "张同名")
    member_of(tree.other_branch, "张同名")
    response = client_as(party_gulou).get("/party/members/", {"q": "张同名"})
    assert response.status_code == 200
    assert response.context["paginator"].count == 1


def test_street_secretary_sees_the_whole_street(party_street, tree):
    seen = set(PartyOrganisation.objects.restrict(party_street, "change"))
    assert {tree.street, tree.committee, tree.other_committee, tree.other_branch} <= seen
    assert tree.far not in seen


def test_checked_in_member_is_visible_to_the_community_but_not_changeable(
        party_gulou, tree):
    unit_member = member_of(tree.unit, "在职党员", in_service=True, work_unit="区民政局")
    assert not PartyMember.objects.restrict(party_gulou).filter(pk=unit_member.pk).exists()
    actions.check_in(unit_member, organisation=tree.committee, actor=None)
    assert PartyMember.objects.restrict(party_gulou).filter(pk=unit_member.pk).exists()
    assert not PartyMember.objects.restrict(party_gulou, "change").filter(
        pk=unit_member.pk).exists()


def test_a_grid_chief_reads_but_may_not_write(grid_chief, grid_worker, client_as, api_as,
                                              tree):
    assert client_as(grid_chief).get("/party/").status_code == 200
    assert client_as(grid_chief).get("/party/orgs/new/").status_code == 403
    response = api_as(grid_chief).post("/api/v1/party/organisations/", {
        "name": "x", "kind": "branch", "area_code": tree.branch.area_code}, format="json")
    assert response.status_code == 403
    # A grid worker's 党建 entry leads to the party members' households, not the rolls.
    assert client_as(grid_worker).get("/party/")["Location"] == "/party/work/"
    assert client_as(grid_worker).get("/party/members/").status_code == 403
    assert api_as(grid_worker).get("/api/v1/party/members/").json()["results"] == []


def test_the_section_bar_offers_only_what_the_person_may_open(party_gulou, member_gulou,
                                                              client_as):
    page = client_as(party_gulou).get("/party/meetings/").content.decode()
    for href in ("/party/", "/party/members/", "/party/work/", "/party/work/activities/"):
        assert f'href="{href}"' in page, href
    mine = client_as(member_gulou).get("/party/work/").content.decode()
    assert 'href="/party/meetings/"' in mine and 'href="/party/work/activities/"' in mine
    assert 'href="/party/members/"' not in mine
