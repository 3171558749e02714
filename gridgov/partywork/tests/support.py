"""Builders shared by the partywork tests and the retry examples (``retry_examples.py``): the
党建 demo users, a small party tree in the Gulou community (reused when the party demo
already holds it), members in its two grids, and households to link."""

import datetime as dt
import itertools
from dataclasses import dataclass

from django.db.models import F, Q

from gridgov.demo.users import GULOU_COMMUNITY, GULOU_GRID, GULOU_GRID2


def user(username):
    from gridgov.accounts.models import User

    return User.objects.get(username=username)


def org(kind, code, parent=None):
    from gridgov.areas.models import Area
    from gridgov.party import actions
    from gridgov.party.models import PartyOrganisation

    found = PartyOrganisation.objects.filter(kind=kind, area_code=code, is_active=True).first()
    if found is not None:
        return found
    from gridgov.party.choices import OrgKind

    return actions.save_organisation(None, name=f"测试{OrgKind(kind).label}{code[-3:]}",
                                     kind=kind,
                                     area=Area.objects.get(code=code), parent=parent,
                                     actor=None)


def free_people(code, n, exclude=()):
    """Residing adults of a grid who are not members yet and not household heads (so the
    households stay free to link)."""
    from gridgov.basedata.models import Person

    adult = dt.date.today().replace(year=dt.date.today().year - 20)
    return list(Person.objects.filter(area_code=code, status="residing",
                                      merged_into__isnull=True, birth_date__lt=adult)
                .exclude(party_memberships__status="active")
                .exclude(pk__in=list(exclude))
                .exclude(household_head_id=None)
                .exclude(household_head_id=F("pk"))
                .order_by("pk")[:n])


@dataclass
class Party:
    committee: object
    branch: object
    branch2: object
    member: object       # member_gulou's membership, grid 1
    member_b: object     # a member without an account, grid 1
    member2: object      # a member without an account, grid 2


def build_party(member_user=None) -> Party:
    """The Gulou community committee, a branch per grid, and three members."""
    from gridgov.party import actions
    from gridgov.party.models import PartyMember

    member_user = member_user or user("member_gulou")
    committee = org("committee", GULOU_COMMUNITY)
    branch = org("branch", GULOU_GRID, committee)
    branch2 = org("branch", GULOU_GRID2, committee)
    own = PartyMember.objects.filter(user=member_user, status="active").first()
    if own is None:
        own = actions.add_member(person=free_people(GULOU_GRID, 1)[0], organisation=branch,
                                 user=member_user, actor=None)
    member_b = actions.add_member(person=free_people(GULOU_GRID, 1)[0], organisation=branch,
                                  actor=None)
    member2 = actions.add_member(person=free_people(GULOU_GRID2, 1)[0],
                                 organisation=branch2, actor=None)
    return Party(committee, branch, branch2, own, member_b, member2)


def free_heads(code, n=1, exclude=()):
    """Households of a grid without an active link (and not a member's own), by pk; new
    ones when the grid has too few."""
    from gridgov.party.models import PartyMember
    from gridgov.partywork.households import uncovered

    members = PartyMember.objects.filter(status="active")
    found = list(uncovered(Q(area_code=code)).exclude(pk__in=list(exclude))
                 .exclude(pk__in=members.values("person_id"))
                 .exclude(pk__in=members.filter(person__household_head__isnull=False)
                          .values("person__household_head_id"))[:n])
    # The demo's members may have linked most households already: add households of one.
    return found + [make_household(code) for _n in range(n - len(found))]


_counter = itertools.count(1)


def make_household(code, *, name="测试户主", house=True, **person):
    """A new house in the grid and a person living alone in it (no head recorded: a
    household of one), through the basic-data actions."""
    from gridgov.areas.models import Area
    from gridgov.basedata import actions

    grid = Area.objects.get(code=code)
    n = next(_counter)
    home = actions.create_house(actor=None, grid=grid, address=f"测试路{code[-6:]}号",
                                unit="1单元", room=f"9{n:03d}") if house else None
    return actions.create_person(actor=None, grid=grid, house=home, name=f"{name}{n}",
                                 birth_date=dt.date(1960, 1, 1 + n % 28), **person)
