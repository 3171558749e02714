"""The verbs: links (households only, one active link per household, the member's areas,
scope), contacts (device time, own links only, retries), activities (capacity, sign-up,
cancel, hours) — each success one audit record, each refusal on its field."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.demo.users import GULOU_GRID, GULOU_GRID2
from gridgov.partywork import actions
from gridgov.partywork.models import ContactLink, VolunteerSignup
from gridgov.partywork.queries import member_hours

pytestmark = pytest.mark.django_db

OTHER_COMMUNITY_GRID = "330203005002001"


def _records(action):
    return AuditRecord.objects.filter(action=action).count()


def _field(exc_info):
    return set(exc_info.value.message_dict)


# --- links -------------------------------------------------------------------------------------


def test_link_writes_one_audit_record(party, party_gulou, free_heads):
    head = free_heads(GULOU_GRID)[0]
    before = _records("partywork.link")
    link = actions.link_household(party.member, head, actor=party_gulou)
    assert link.is_active and link.area_code == head.area_code == GULOU_GRID
    assert _records("partywork.link") == before + 1


def test_a_household_has_at_most_one_active_link(party, party_gulou, free_heads):
    head = free_heads(GULOU_GRID)[0]
    link = actions.link_household(party.member, head, actor=party_gulou)
    with pytest.raises(ValidationError) as exc:
        actions.link_household(party.member_b, head, actor=party_gulou)
    assert _field(exc) == {"household_head"}
    # Once unlinked, another member may take the household over.
    actions.unlink_household(link, actor=party_gulou)
    again = actions.link_household(party.member_b, head, actor=party_gulou)
    assert ContactLink.objects.filter(household_head=head, is_active=True).get() == again
    assert ContactLink.objects.filter(household_head=head).count() == 2


def test_only_households_are_linked(party, party_gulou):
    from gridgov.basedata.models import Person

    not_head = (Person.objects.filter(area_code=GULOU_GRID, status="residing",
                                      household_head__isnull=False)
                .exclude(household_head_id__in=[]).exclude(pk__in=[party.member.person_id])
                .exclude(relation_to_head="head").first())
    assert not_head.household_head_id != not_head.pk
    with pytest.raises(ValidationError) as exc:
        actions.link_household(party.member, not_head, actor=party_gulou)
    assert _field(exc) == {"household_head"}


def test_household_outside_the_members_areas_is_refused(party, party_gulou, free_heads):
    # The member of grid 1's branch, a household of grid 2 (same community, the secretary's).
    head = free_heads(GULOU_GRID2)[0]
    with pytest.raises(ValidationError) as exc:
        actions.link_household(party.member, head, actor=party_gulou)
    assert _field(exc) == {"household_head"}
    # The community committee's members may link anywhere in the community.
    assert actions.link_household(party.member2, head, actor=party_gulou).pk


def test_secretary_cannot_link_outside_their_community(party, party_gulou, make_household):
    head = make_household(OTHER_COMMUNITY_GRID)
    with pytest.raises(Http404):
        actions.link_household(party.member, head, actor=party_gulou)


def test_grid_worker_may_not_link(party, grid_worker, free_heads):
    with pytest.raises(PermissionDenied):
        actions.link_household(party.member, free_heads(GULOU_GRID)[0], actor=grid_worker)


def test_a_member_links_at_most_ten(party, party_gulou, free_heads, monkeypatch):
    monkeypatch.setattr(actions, "MAX_LINKS_PER_MEMBER", 2)
    heads = free_heads(GULOU_GRID, 3)
    actions.link_household(party.member_b, heads[0], actor=party_gulou)
    actions.link_household(party.member_b, heads[1], actor=party_gulou)
    with pytest.raises(ValidationError) as exc:
        actions.link_household(party.member_b, heads[2], actor=party_gulou)
    assert _field(exc) == {"member"}


def test_unlink_twice_is_refused(party, party_gulou, free_heads):
    link = actions.link_household(party.member, free_heads(GULOU_GRID)[0], actor=party_gulou)
    before = _records("partywork.unlink")
    actions.unlink_household(link, actor=party_gulou, note="住户搬离")
    assert _records("partywork.unlink") == before + 1
    with pytest.raises(ValidationError) as exc:
        actions.unlink_household(link, actor=party_gulou)
    assert _field(exc) == {"link"}


# --- contacts ----------------------------------------------------------------------------------


@pytest.fixture
def link(party, party_gulou, free_heads):
    return actions.link_household(party.member, free_heads(GULOU_GRID)[0], actor=party_gulou,
                                  since=timezone.localdate() - dt.timedelta(days=30))


def test_member_logs_a_contact_on_their_own_link(link, member_gulou):
    before = _records("partywork.contact")
    log = actions.log_contact(link, way="phone", notes="电话问候", needs=["policy"],
                              actor=member_gulou)
    link.refresh_from_db()
    assert link.last_contact_at == log.contacted_at
    assert log.area_code == link.area_code
    assert _records("partywork.contact") == before + 1


def test_member_cannot_log_on_another_members_link(party, party_gulou, member_gulou,
                                                   free_heads):
    other = actions.link_household(party.member_b, free_heads(GULOU_GRID)[0],
                                   actor=party_gulou)
    with pytest.raises(Http404):
        actions.log_contact(other, notes="x", actor=member_gulou)


def test_contact_time_rules(link, member_gulou):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        actions.log_contact(link, notes="x", contacted_at=now + dt.timedelta(hours=1),
                            actor=member_gulou)
    assert _field(exc) == {"contacted_at"}
    with pytest.raises(ValidationError) as exc:
        actions.log_contact(link, notes="x", contacted_at=now - dt.timedelta(days=8),
                            actor=member_gulou)
    assert _field(exc) == {"contacted_at"}
    with pytest.raises(ValidationError) as exc:
        actions.log_contact(link, notes="", actor=member_gulou)
    assert _field(exc) == {"notes"}
    with pytest.raises(ValidationError) as exc:
        actions.log_contact(link, notes="x", way="fax", actor=member_gulou)
    assert _field(exc) == {"way"}
    with pytest.raises(ValidationError) as exc:
        actions.log_contact(link, needs=["flying"], actor=member_gulou)
    assert _field(exc) == {"needs"}


def test_retry_with_the_same_client_id_returns_the_first(link, member_gulou):
    key = uuid.uuid4()
    first = actions.log_contact(link, notes="上门", client_id=key, actor=member_gulou)
    again = actions.log_contact(link, notes="上门", client_id=key, actor=member_gulou)
    assert first.pk == again.pk
    assert link.logs.count() == 1


def test_no_contact_on_an_ended_link(link, party_gulou, member_gulou):
    actions.unlink_household(link, actor=party_gulou)
    with pytest.raises(ValidationError) as exc:
        actions.log_contact(link, notes="x", actor=member_gulou)
    assert _field(exc) == {"link"}


# --- activities --------------------------------------------------------------------------------


def _activity(party, actor, *, capacity=None, starts_in=dt.timedelta(days=3), hours=3):
    starts = timezone.now() + starts_in
    return actions.save_activity(None, organisation=party.committee, title="环境清洁",
                                 place="小区广场", starts_at=starts,
                                 ends_at=starts + dt.timedelta(hours=hours),
                                 capacity=capacity, actor=actor)


def test_activity_rules(party, party_gulou):
    starts = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        actions.save_activity(None, organisation=party.committee, title="x", place="y",
                              starts_at=starts, ends_at=starts, actor=party_gulou)
    assert _field(exc) == {"ends_at"}
    with pytest.raises(ValidationError) as exc:
        actions.save_activity(None, organisation=party.committee, title=" ", place="y",
                              starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
                              actor=party_gulou)
    assert _field(exc) == {"title"}
    with pytest.raises(ValidationError) as exc:
        actions.save_activity(None, organisation=party.committee, title="x", place="y",
                              starts_at=timezone.now() - dt.timedelta(hours=1),
                              ends_at=starts, actor=party_gulou)
    assert _field(exc) == {"starts_at"}


def test_sign_up_capacity_and_cancel(party, party_gulou, member_gulou):
    activity = _activity(party, party_gulou, capacity=1)
    mine = actions.sign_up(activity, party.member, actor=member_gulou)
    assert mine.status == "signed_up" and mine.area_code == party.member.area_code
    with pytest.raises(ValidationError) as exc:
        actions.sign_up(activity, party.member_b, actor=party_gulou)
    assert _field(exc) == {"activity"}
    actions.cancel_signup(mine, actor=member_gulou)
    # The place is free again; the secretary signs another member up.
    assert actions.sign_up(activity, party.member_b, actor=party_gulou).status == "signed_up"
    # Signing up again after cancelling renews the same row — but the activity is full.
    with pytest.raises(ValidationError):
        actions.sign_up(activity, party.member, actor=member_gulou)
    assert VolunteerSignup.objects.filter(activity=activity).count() == 2


def test_member_signs_up_only_themself(party, party_gulou, member_gulou):
    activity = _activity(party, party_gulou)
    with pytest.raises(PermissionDenied):
        # A member holds partywork.volunteer but not manage: not for somebody else.
        actions.sign_up(activity, party.member_b, actor=member_gulou)


def test_hours_credited_after_the_activity_and_counted_per_year(party, party_gulou):
    activity = _activity(party, party_gulou, hours=3)
    signup = actions.sign_up(activity, party.member_b, actor=party_gulou)
    with pytest.raises(ValidationError) as exc:
        actions.credit_hours(signup, hours=2, actor=party_gulou)
    assert _field(exc) == {"hours"}          # not started yet
    # The system backdates the activity (as the demo's history does).
    past = timezone.now() - dt.timedelta(days=2)
    VolunteerSignup.objects.filter(pk=signup.pk)  # unchanged
    type(activity).objects.filter(pk=activity.pk).update(
        starts_at=past, ends_at=past + dt.timedelta(hours=3))
    with pytest.raises(ValidationError) as exc:
        actions.credit_hours(signup, hours="3.5", actor=party_gulou)
    assert _field(exc) == {"hours"}          # longer than the activity
    before = _records("partywork.credit_hours")
    credited = actions.credit_hours(signup, hours="2.5", actor=party_gulou)
    assert credited.status == "attended" and credited.hours == Decimal("2.5")
    assert _records("partywork.credit_hours") == before + 1
    assert member_hours(party.member_b, timezone.localtime(past).year) == Decimal("2.5")
    assert member_hours(party.member_b, timezone.localtime(past).year - 1) == Decimal("0")
    # A correction to 0 marks the member absent; the year's hours drop.
    actions.credit_hours(signup, hours=0, actor=party_gulou)
    assert member_hours(party.member_b, timezone.localtime(past).year) == Decimal("0")


def test_member_may_not_credit_hours(party, party_gulou, member_gulou):
    activity = _activity(party, party_gulou)
    signup = actions.sign_up(activity, party.member, actor=member_gulou)
    with pytest.raises(PermissionDenied):
        actions.credit_hours(signup, hours=1, actor=member_gulou)
