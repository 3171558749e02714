"""The demo party data: the tree of every community, members from the demo people."""

import time

import pytest

from gridgov.demo import party as demo_party
from gridgov.party.models import PartyMember, PartyOrganisation, PartyPost, PartyTransfer

from .support import wipe

pytestmark = pytest.mark.django_db


def test_demo_party(party_gulou, party_street, member_gulou, gulou_community):
    from gridgov.areas.models import Area

    wipe()  # the test database may hold the demo already
    started = time.perf_counter()
    counts = demo_party.load()
    elapsed = time.perf_counter() - started
    communities = Area.objects.current().filter(level="community").count()
    assert PartyOrganisation.objects.filter(kind="committee").count() == communities
    grids = Area.objects.current().filter(level="grid").count()
    assert PartyOrganisation.objects.filter(kind="branch", area__level="grid").count() == grids
    assert PartyOrganisation.objects.filter(kind="group").exists()
    assert PartyMember.objects.count() == counts["members"] > 10
    assert PartyMember.objects.filter(in_service=True, checked_in_to__isnull=False).exists()
    committee = PartyOrganisation.objects.get(kind="committee", area=gulou_community)
    assert PartyPost.objects.get(organisation=committee, post="secretary",
                                 ended_on__isnull=True).member.user == party_gulou
    assert PartyMember.objects.get(user=member_gulou).organisation.area_code.startswith(
        gulou_community.code)
    assert PartyTransfer.objects.filter(status="pending").count() == 1
    assert demo_party.load() == {"organisations": 0, "members": 0}  # idempotent
    names = list(PartyOrganisation.objects.filter(area_code__startswith=gulou_community.code)
                 .values_list("name", flat=True)[:6])
    print(f"demo party: {counts} in {elapsed:.1f} s; {names}")
    assert elapsed < 20
