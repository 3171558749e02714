"""What the party tests share: a small tree in Gulou and elsewhere, people made directly."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.basedata.models import Person
from gridgov.demo.basedata import make_id_number
from gridgov.party import actions
from gridgov.party.models import PartyOrganisation

_seq = [8000]


def make_person(grid, name, birth=dt.date(1980, 5, 1), female=False):
    """A residing person of the grid with a generated ID number (its hash set, so the
    ID-number lookups find it)."""
    from gridgov.core import personal_data

    _seq[0] += 1
    number = make_id_number(birth, _seq[0], female)
    return Person.objects.create(
        grid=grid, area_code=grid.code, name=name, birth_date=birth,
        id_hash=personal_data.lookup_hash(number), id_masked=personal_data.mask_id_number(
            number)), number


def org(name, kind, area, parent=None, **kwargs):
    return PartyOrganisation.objects.create(name=name, kind=kind, area=area,
                                            area_code=area.code, parent=parent, **kwargs)


@dataclass
class Tree:
    street: PartyOrganisation
    committee: PartyOrganisation  # the Gulou community (party_gulou's)
    branch: PartyOrganisation  # gulou_grid
    branch2: PartyOrganisation  # gulou_grid2
    other_committee: PartyOrganisation  # the next community of the Gulou street
    other_branch: PartyOrganisation  # a grid of that community
    far: PartyOrganisation  # a community committee in another street
    unit: PartyOrganisation  # a 机关党支部 at district level


def wipe():
    """Start from no party data (the demo's, when the test database holds it): the meetings,
    contacts and volunteering that refer to the demo's members and organisations first. Plain
    SQL deletes (``_raw_delete``): the demo's year of meetings is tens of thousands of rows,
    and collecting them in Python for every test would cost seconds."""
    from gridgov.party.models import PartyMember, PartyPost, PartyTerm, PartyTransfer
    from gridgov.party_meetings.models import (
        Meeting,
        MeetingAttendance,
        MeetingPhoto,
        MeetingRequirement,
    )
    from gridgov.partywork.models import (
        ContactLink,
        ContactLog,
        VolunteerActivity,
        VolunteerSignup,
    )

    dependents = (ContactLog.objects.all(), ContactLink.objects.all(),
                  VolunteerSignup.objects.all(), VolunteerActivity.objects.all(),
                  MeetingPhoto.objects.all(), MeetingAttendance.objects.all(),
                  Meeting.objects.all(),
                  MeetingRequirement.objects.filter(organisation__isnull=False),
                  PartyTransfer.objects.all(), PartyPost.objects.all(),
                  PartyTerm.objects.all(), PartyMember.objects.all())
    for queryset in dependents:
        queryset._raw_delete(queryset.db)
    PartyOrganisation.objects.update(parent=None)
    orgs = PartyOrganisation.objects.all()
    orgs._raw_delete(orgs.db)


def make_tree() -> Tree:
    from gridgov.demo.users import DISTRICT, GULOU_COMMUNITY, GULOU_GRID, GULOU_GRID2, GULOU_STREET

    wipe()
    area = Area.objects.current().get
    other_community = (Area.objects.current().filter(
        level="community", code__startswith=GULOU_STREET).exclude(code=GULOU_COMMUNITY)
        .order_by("code").first())
    other_grid = Area.objects.current().filter(parent=other_community).order_by("code").first()
    far_community = Area.objects.current().filter(
        level="community", code__startswith="330203001").order_by("code").first()
    street = org("鼓楼街道党工委", "working_committee", area(code=GULOU_STREET))
    committee = org("测试社区党委", "committee", area(code=GULOU_COMMUNITY), street,
                    term_started_on=timezone.localdate() - dt.timedelta(days=1800),
                    term_ends_on=timezone.localdate() + dt.timedelta(days=30))
    other = org("邻社区党委", "committee", other_community, street)
    return Tree(
        street=street, committee=committee,
        branch=org("第一网格党支部", "branch", area(code=GULOU_GRID), committee),
        branch2=org("第二网格党支部", "branch", area(code=GULOU_GRID2), committee),
        other_committee=other,
        other_branch=org("邻社区网格党支部", "branch", other_grid, other),
        far=org("南门某社区党委", "committee", far_community),
        unit=org("区民政局机关党支部", "branch", area(code=DISTRICT)))


def member_of(branch, name, **kwargs):
    person, number = make_person(branch.area if branch.area.level == "grid" else
                                  Area.objects.filter(code__startswith=branch.area_code,
                                                      level="grid").order_by("code").first(),
                                  name)
    member = actions.add_member(person=person, organisation=branch, actor=None, **kwargs)
    member.test_id_number = number  # the generated ID number, for the lookups
    return member
