"""``contacts_by_area`` (the contract of issue 14) with known answers: what a household is,
links, contacts in the period, volunteer hours where the member belongs, scope, and a
constant number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gridgov.demo.users import GULOU_COMMUNITY, GULOU_GRID, GULOU_GRID2, GULOU_STREET
from gridgov.partywork import actions
from gridgov.partywork.figures import contacts_by_area
from gridgov.partywork.models import VolunteerActivity

pytestmark = pytest.mark.django_db


def _period():
    today = timezone.localdate()
    return today - dt.timedelta(days=30), today


def test_households_are_the_demo_families(leader):
    from gridgov.basedata.models import House

    start, end = _period()
    figures = contacts_by_area(leader, GULOU_COMMUNITY, start, end)
    # The demo records one household per house, its head the head of itself.
    homes = (House.objects.filter(area_code=GULOU_GRID2, residents__status="residing",
                                  residents__merged_into__isnull=True).distinct().count())
    assert homes > 0
    assert figures[GULOU_GRID2]["households"] == homes


def test_known_answers(party, party_gulou, leader, free_heads, make_household):
    from gridgov.basedata import actions as basedata_actions

    start, end = _period()
    before = contacts_by_area(leader, GULOU_COMMUNITY, start, end)
    alone = make_household(GULOU_GRID2)                        # a household of one: +1
    make_household(GULOU_GRID2, house=False)                   # no head, no house: not one
    basedata_actions.create_person(actor=None, grid=alone.grid, name="配偶",
                                   birth_date=dt.date(1961, 2, 2), household_head=alone,
                                   relation_to_head="spouse")  # a member of alone's: not one
    other = free_heads(GULOU_GRID2, exclude=[alone.pk])[0]
    links = [actions.link_household(party.member2, head, actor=party_gulou)
             for head in (alone, other)]
    for link in links + links[:1]:
        actions.log_contact(link, notes="问候", actor=None)   # 3 contacts today
    # A contact before the period is not counted.
    actions.import_contacts([{"link": links[1], "notes": "早先",
                              "contacted_at": timezone.now() - dt.timedelta(days=45)}])
    # 2.5 hours for the grid-2 member, 1 for the grid-1 member, in the period; 4 hours of an
    # activity before the period are not counted.
    for days_ago, credits in ((3, [(party.member2, "2.5"), (party.member_b, "1")]),
                              (60, [(party.member2, "4")])):
        starts = timezone.now() - dt.timedelta(days=days_ago)
        activity = actions.save_activity(None, organisation=party.committee, title="清洁",
                                         place="广场", starts_at=starts,
                                         ends_at=starts + dt.timedelta(hours=4), actor=None)
        for member, hours in credits:
            signup = actions.sign_up(activity, member, actor=None)
            actions.credit_hours(signup, hours=hours, actor=party_gulou)
    after = contacts_by_area(leader, GULOU_COMMUNITY, start, end)
    grid2 = {k: after[GULOU_GRID2][k] - before[GULOU_GRID2][k] for k in after[GULOU_GRID2]}
    assert grid2 == {"households": 1, "linked": 2, "contacts": 3, "volunteer_hours": 2.5}
    assert after[GULOU_GRID]["volunteer_hours"] - before[GULOU_GRID]["volunteer_hours"] == 1.0
    assert VolunteerActivity.objects.filter(organisation=party.committee).count() >= 2
    # One level up, the community's row holds the grids' sums.
    street = contacts_by_area(leader, GULOU_STREET, start, end)[GULOU_COMMUNITY]
    assert street["households"] == sum(after[c]["households"] for c in after)
    assert street["linked"] == sum(after[c]["linked"] for c in after)
    assert Decimal(str(street["volunteer_hours"])) == sum(
        Decimal(str(after[c]["volunteer_hours"])) for c in after)


def test_scope_keeps_other_grids_at_zero(party, party_gulou, grid_worker, free_heads):
    head = free_heads(GULOU_GRID2)[0]
    link = actions.link_household(party.member2, head, actor=party_gulou)
    actions.log_contact(link, notes="问候", actor=None)
    start, end = _period()
    figures = contacts_by_area(grid_worker, GULOU_COMMUNITY, start, end)
    assert figures[GULOU_GRID2] == {"households": 0, "linked": 0, "contacts": 0,
                                    "volunteer_hours": 0.0}
    assert figures[GULOU_GRID]["households"] > 0
    assert contacts_by_area(grid_worker, GULOU_COMMUNITY + "001", start, end) == {}


def test_constant_queries(party, leader, django_assert_max_num_queries):
    from gridgov.core.access import get_scope

    get_scope(leader)
    start, end = _period()
    with django_assert_max_num_queries(5):
        contacts_by_area(leader, GULOU_STREET, start, end)
