"""Transfers (组织关系转接), 双报到, a death in basic data, the 换届 reminder, the figures."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.notifications.models import Notification
from gridgov.party import actions, figures, reminders
from gridgov.party.models import PartyMember, PartyPost, PartyTransfer

from .support import make_tree, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return make_tree()


def test_internal_transfer_is_pending_until_the_receiving_secretary_accepts(
        party_gulou, party_street, client_as, tree):
    member = member_of(tree.branch, "转出党员")
    actions.appoint(tree.branch, member=member, post="secretary", actor=party_gulou)
    client = client_as(party_gulou)
    response = client.post(f"/party/members/{member.pk}/transfer/", {
        "kind": "internal", "to_organisation": tree.other_branch.pk, "reason": "搬家"})
    assert response.status_code == 302
    transfer = PartyTransfer.objects.get(member=member)
    assert transfer.status == "pending" and transfer.to_area_code == tree.other_branch.area_code
    member.refresh_from_db()
    assert member.organisation == tree.branch  # not moved yet
    # The sending side may not accept; a second transfer waits for the first.
    with pytest.raises(PermissionDenied):
        actions.accept_transfer(transfer, actor=party_gulou)
    with pytest.raises(ValidationError):
        actions.request_transfer(member, to_organisation=tree.branch2, actor=party_gulou)
    # The receiving side (the street secretary covers the other community) accepts.
    page = client_as(party_street).get("/party/transfers/")
    assert [t.pk for t in page.context["incoming"]] == [transfer.pk]
    response = client_as(party_street).post(
        f"/party/transfers/{transfer.pk}/accept/", {"note": "同意"})
    assert response.status_code == 302
    transfer.refresh_from_db()
    member.refresh_from_db()
    assert transfer.status == "accepted"
    assert member.organisation == tree.other_branch
    assert member.area_code == tree.other_branch.area_code
    assert not PartyPost.objects.filter(member=member, ended_on__isnull=True).exists()
    assert AuditRecord.objects.filter(action="party.transfer_accept").exists()
    # The old community no longer sees the member.
    assert client.get(f"/party/members/{member.pk}/").status_code == 404


def test_transfer_rejected_or_cancelled_leaves_the_member(party_gulou, party_street, tree):
    member = member_of(tree.branch, "退回党员")
    t = actions.request_transfer(member, to_organisation=tree.other_branch, actor=party_gulou)
    with pytest.raises(ValidationError):
        actions.reject_transfer(t, note="", actor=party_street)  # a reason is required
    actions.reject_transfer(t, note="查无此人", actor=party_street)
    t2 = actions.request_transfer(member, to_organisation=tree.other_branch, actor=party_gulou)
    actions.cancel_transfer(t2, actor=party_gulou)
    member.refresh_from_db()
    assert member.organisation == tree.branch and member.status == "active"
    assert list(PartyTransfer.objects.filter(member=member).order_by("pk")
                .values_list("status", flat=True)) == ["rejected", "cancelled"]


def test_transfer_out_of_the_system(party_gulou, tree):
    member = member_of(tree.branch, "外转党员")
    with pytest.raises(ValidationError) as exc:
        actions.request_transfer(member, kind="external", actor=party_gulou)
    assert "destination" in exc.value.message_dict
    t = actions.request_transfer(member, kind="external", destination="杭州市西湖区某单位党支部",
                                 actor=party_gulou)
    member.refresh_from_db()
    assert t.status == "completed" and member.status == "transferred_out"


def test_check_in_of_an_in_service_member(party_gulou, client_as, tree):
    unit_member = member_of(tree.unit, "在职党员", in_service=True, work_unit="区民政局")
    plain = member_of(tree.branch, "非在职")
    with pytest.raises(ValidationError):
        actions.check_in(plain, organisation=tree.other_committee, actor=None)
    # The community secretary registers the check-in by ID number on the committee's page.
    number = unit_member.test_id_number
    client = client_as(party_gulou)
    response = client.post(f"/party/orgs/{tree.committee.pk}/check-in/", {"id_number": number})
    assert response.status_code == 302, response.content.decode()[-2000:]
    unit_member.refresh_from_db()
    assert unit_member.checked_in_to == tree.committee
    assert unit_member.checked_in_on == timezone.localdate()
    page = client.get(f"/party/orgs/{tree.committee.pk}/").content.decode()
    assert "在职党员" in page and "区民政局" in page
    assert figures.members_by_area(party_gulou, tree.committee.area_code[:9]) == {
        tree.committee.area_code: {"members": 1, "in_service_checked_in": 1}}
    unknown = client.post(f"/party/orgs/{tree.committee.pk}/check-in/",
                          {"id_number": "330203199001011234"})
    assert unknown.status_code == 400


def test_death_in_basic_data_makes_the_member_deceased(party_gulou, grid_worker, tree,
                                                      django_capture_on_commit_callbacks):
    from gridgov.basedata.actions import lifecycle

    member = member_of(tree.branch, "病故党员")
    actions.appoint(tree.branch, member=member, post="secretary", actor=party_gulou)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.record_death(member.person, actor=grid_worker, on=timezone.localdate(),
                               note="病故")
    member.refresh_from_db()
    assert member.status == "deceased" and member.status_changed_on == timezone.localdate()
    assert member.posts.get().ended_on == timezone.localdate()
    audit = AuditRecord.objects.filter(action="party.member_status",
                                       object_id=str(member.pk)).latest("id")
    assert audit.actor_id == grid_worker.pk
    with pytest.raises(ValidationError):
        actions.change_member_status(member, status="active", actor=party_gulou)


def test_term_reminder_fires_once(party_gulou, party_street, tree):
    told = actions.send_term_reminders()
    assert told >= 2  # the community's and the street's secretaries
    assert Notification.objects.filter(user=party_gulou, kind="due_soon",
                                       dedupe_key__startswith="party.term:").count() == 1
    text = Notification.objects.get(user=party_gulou).text
    assert tree.committee.name in text and "30 天" in text
    assert actions.send_term_reminders() == 0
    assert Notification.objects.filter(user=party_gulou).count() == 1
    # A term beyond 90 days tells nobody; a new term restarts the reminder.
    actions.set_term(tree.committee, started_on=timezone.localdate(),
                     ends_on=timezone.localdate() + dt.timedelta(days=60), actor=party_gulou)
    assert actions.send_term_reminders() >= 1
    assert Notification.objects.filter(user=party_gulou).count() == 2


def test_the_periodic_job_runs_the_reminders(party_gulou, tree):
    reminders.reset()
    with override_settings(GRIDGOV_PARTY_TERM_REMINDER_SECONDS=0):
        assert reminders.job.run_if_due() == (False, None)
    with override_settings(GRIDGOV_PARTY_TERM_REMINDER_SECONDS=3600):
        ran, told = reminders.job.run_if_due()
        assert ran and told >= 1
        assert reminders.job.run_if_due() == (False, None)  # not again within the hour
    reminders.reset()
    assert Notification.objects.filter(user=party_gulou).count() == 1


def test_figures_are_scoped(party_gulou, party_street, leader, tree):
    member_of(tree.branch, "一")
    member_of(tree.branch2, "二")
    member_of(tree.other_branch, "三")
    street = tree.street.area_code
    assert figures.members_by_area(party_gulou, street) == {
        tree.committee.area_code: {"members": 2, "in_service_checked_in": 0}}
    by_street = figures.members_by_area(leader, street)
    assert by_street[tree.committee.area_code]["members"] == 2
    assert by_street[tree.other_committee.area_code]["members"] == 1
    grids = figures.members_by_area(party_gulou, tree.committee.area_code)
    assert grids[tree.branch.area_code]["members"] == 1
    assert PartyMember.objects.count() == 3
