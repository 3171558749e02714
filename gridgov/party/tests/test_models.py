"""The party models and the two new roles."""

from gridgov.party.models import PartyMember, PartyOrganisation


def test_party_roles_and_scope(party_gulou, party_street, member_gulou, gulou_community,
                               other_street):
    from gridgov.core.access import can

    from .support import wipe

    wipe()

    assert can(party_gulou, "party.manage") and can(party_street, "party.view")
    assert not can(member_gulou, "party.view")
    org = PartyOrganisation.objects.create(name="测试社区党委", kind="committee",
                                           area=gulou_community)
    other = PartyOrganisation.objects.create(name="南门党工委", kind="working_committee",
                                             area=other_street)
    assert org.area_code == gulou_community.code
    seen = set(PartyOrganisation.objects.restrict(party_gulou, "change"))
    assert org in seen and other not in seen
    assert not PartyMember.objects.restrict(party_gulou).exists()
