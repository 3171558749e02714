"""``restrict`` of the partywork models, role by role: the grid roles and leaders see their
areas, a community secretary the community (not the next one), a party member only their own
links, contacts and sign-ups, and the activities of their grid and above."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.demo.users import GULOU_GRID, GULOU_GRID2
from gridgov.partywork import actions
from gridgov.partywork.models import (
    ContactLink,
    ContactLog,
    VolunteerActivity,
    VolunteerSignup,
)

pytestmark = pytest.mark.django_db

OTHER_COMMUNITY = "330203005002"


@pytest.fixture
def rows(party, party_gulou, party_street, member_gulou, free_heads, make_household):
    from gridgov.areas.models import Area
    from gridgov.party import actions as party_actions

    mine = actions.link_household(party.member, free_heads(GULOU_GRID)[0], actor=party_gulou)
    other = actions.link_household(party.member_b, free_heads(GULOU_GRID)[0],
                                   actor=party_gulou)
    grid2 = actions.link_household(party.member2, free_heads(GULOU_GRID2)[0],
                                   actor=party_gulou)
    # A committee and member of the next community, linked by the street's secretary.
    far_org = party_actions.save_organisation(
        None, name="测试社区党委", kind="committee",
        area=Area.objects.get(code=OTHER_COMMUNITY), actor=None)
    far_head = make_household(OTHER_COMMUNITY + "001")
    far_person = make_household(OTHER_COMMUNITY + "001", name="党员")
    far_member = party_actions.add_member(person=far_person, organisation=far_org, actor=None)
    far = actions.link_household(far_member, far_head, actor=party_street)
    logs = {name: actions.log_contact(link, notes="问候", actor=None)
            for name, link in (("mine", mine), ("other", other), ("grid2", grid2),
                               ("far", far))}
    starts = timezone.now() + dt.timedelta(days=2)
    community = actions.save_activity(None, organisation=party.committee, title="社区活动",
                                      place="广场", starts_at=starts,
                                      ends_at=starts + dt.timedelta(hours=2), actor=None)
    far_activity = actions.save_activity(None, organisation=far_org, title="外社区活动",
                                         place="广场", starts_at=starts,
                                         ends_at=starts + dt.timedelta(hours=2), actor=None)
    signups = {"mine": actions.sign_up(community, party.member, actor=None),
               "other": actions.sign_up(community, party.member_b, actor=None)}
    return {"links": {"mine": mine, "other": other, "grid2": grid2, "far": far},
            "logs": logs, "activities": {"community": community, "far": far_activity},
            "signups": signups}


def _names(rows, kind, qs):
    ids = set(qs.values_list("pk", flat=True))
    return {name for name, obj in rows[kind].items() if obj.pk in ids}


@pytest.mark.parametrize("who, links, activities", [
    ("grid_worker", {"mine", "other"}, set()),
    ("grid_chief", {"mine", "other", "grid2"}, {"community"}),
    ("leader", {"mine", "other", "grid2", "far"}, {"community", "far"}),
    ("party_gulou", {"mine", "other", "grid2"}, {"community"}),
    ("party_street", {"mine", "other", "grid2", "far"}, {"community", "far"}),
    ("member_gulou", {"mine"}, {"community"}),
    ("dispatcher", set(), set()),
])
def test_who_sees_what(rows, request, who, links, activities):
    user = request.getfixturevalue(who)
    assert _names(rows, "links", ContactLink.objects.restrict(user)) == links
    assert _names(rows, "logs", ContactLog.objects.restrict(user)) == links
    assert _names(rows, "activities", VolunteerActivity.objects.restrict(user)) == activities


def test_member_sees_only_their_own_signups(rows, member_gulou, party_gulou):
    assert _names(rows, "signups", VolunteerSignup.objects.restrict(member_gulou)) == {"mine"}
    assert _names(rows, "signups", VolunteerSignup.objects.restrict(party_gulou)) == {
        "mine", "other"}


def test_change_scope(rows, member_gulou, party_gulou, grid_chief):
    # The member may log on their own link; the secretary on the community's; a grid chief
    # sees the links but changes none.
    assert _names(rows, "links", ContactLink.objects.restrict(member_gulou, "change")) == {
        "mine"}
    assert _names(rows, "links", ContactLink.objects.restrict(party_gulou, "change")) == {
        "mine", "other", "grid2"}
    assert not ContactLink.objects.restrict(grid_chief, "change").exists()
    assert _names(rows, "activities",
                  VolunteerActivity.objects.restrict(member_gulou, "change")) == set()
