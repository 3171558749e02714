"""The verbs: plan (notice once per member), sign-in, record (sheet, photos), cancel; each
audited once, refused to others, 404 outside scope, idempotent."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.notifications.models import Notification
from gridgov.party_meetings import actions
from gridgov.party_meetings.models import Meeting, MeetingAttendance

from .support import make_member, photo

pytestmark = pytest.mark.django_db


def _plan(org, actor, **kwargs):
    values = {"kind": "branch_assembly", "title": "学习党章", "place": "活动室",
              "planned_at": timezone.now() - dt.timedelta(hours=1), "agenda": "1. 学习"}
    return actions.plan_meeting(org, **{**values, **kwargs}, actor=actor)


def _audits(meeting, action):
    return AuditRecord.objects.filter(action=action, object_id=str(meeting.pk)).count()


def test_plan_sends_the_notice_once_to_members_with_accounts(
        branch, members, party_gulou, member_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _plan(branch, party_gulou, notice="请准时参加")
    assert meeting.state == "planned" and meeting.notice_sent_at is not None
    assert meeting.area_code == branch.area_code
    told = Notification.objects.filter(dedupe_key=f"party_meeting:{meeting.pk}:notice")
    assert list(told.values_list("user_id", flat=True)) == [member_user.pk]
    assert "学习党章" in told.get().text
    assert _audits(meeting, "party_meetings.plan") == 1
    # Telling again (a replayed hook) tells nobody twice.
    actions._notify_members(meeting, "x", f"party_meeting:{meeting.pk}:notice")
    assert told.count() == 1


def test_plan_rules_and_refusals(branch, other_branch, party_gulou, grid_worker, gulou_grid):
    from .support import make_org

    with pytest.raises(PermissionDenied):
        _plan(branch, grid_worker)
    with pytest.raises(Http404):
        _plan(other_branch, party_gulou)
    with pytest.raises(ValidationError) as err:
        _plan(branch, party_gulou, kind="group_meeting")
    assert "kind" in err.value.message_dict
    group = make_org(gulou_grid, "测试党小组", kind="group", parent=branch)
    with pytest.raises(ValidationError):
        _plan(group, party_gulou, kind="theme_day")
    with pytest.raises(ValidationError) as err:
        _plan(branch, party_gulou, title=" ")
    assert "title" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _plan(branch, party_gulou, planned_at=timezone.now() + dt.timedelta(days=400))
    assert "planned_at" in err.value.message_dict


def test_member_signs_in_once_and_only_to_their_own_organisation(
        branch, members, other_branch, party_gulou, member_user, party_street):
    meeting = _plan(branch, party_gulou)
    row = actions.sign_in(meeting, actor=member_user)
    assert (row.member_id, row.status, row.way) == (members[0].pk, "present", "on_site")
    again = actions.sign_in(meeting, actor=member_user)
    assert again.pk == row.pk and again.signed_at == row.signed_at
    assert _audits(meeting, "party_meetings.sign_in") == 1
    elsewhere = _plan(other_branch, party_street)
    with pytest.raises(PermissionDenied):
        actions.sign_in(elsewhere, actor=member_user)
    # Not before the planned day.
    later = _plan(branch, party_gulou, planned_at=timezone.now() + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as err:
        actions.sign_in(later, actor=member_user)
    assert "meeting" in err.value.message_dict
    # The secretary ticks a member; a member of another organisation is refused.
    ticked = actions.sign_in(meeting, member=members[1], actor=party_gulou)
    assert ticked.way == "by_secretary"
    stranger = make_member(other_branch, "外支部党员")
    with pytest.raises(ValidationError):
        actions.sign_in(meeting, member=stranger, actor=party_gulou)


def test_record_writes_the_sheet_minutes_and_photos_in_one_call(
        branch, members, party_gulou, member_user):
    meeting = _plan(branch, party_gulou)
    actions.sign_in(meeting, actor=member_user)
    held_at = timezone.now() - dt.timedelta(minutes=30)
    done = actions.record_meeting(meeting, held_at=held_at, minutes="会议学习了党章。",
                                  present=[members[1].pk], leave={members[2].pk: "出差"},
                                  photos=[photo()], actor=party_gulou)
    assert done.state == "held" and done.held_at == held_at and done.version == 2
    sheet = {r.member_id: r for r in MeetingAttendance.objects.filter(meeting=meeting)}
    assert sheet[members[0].pk].way == "on_site"  # signed in themselves: kept
    assert sheet[members[1].pk].status == "present"
    assert (sheet[members[2].pk].status, sheet[members[2].pk].reason) == ("leave", "出差")
    assert done.photos.count() == 1
    assert _audits(meeting, "party_meetings.record") == 1
    # The same call again (a retry) writes nothing more.
    actions.record_meeting(meeting, held_at=held_at, minutes="会议学习了党章。",
                           present=[members[1].pk], leave={members[2].pk: "出差"},
                           photos=[photo()], actor=party_gulou)
    assert _audits(meeting, "party_meetings.record") == 1 and done.photos.count() == 1
    # A correction: the member on leave was absent.
    fixed = actions.record_meeting(meeting, held_at=held_at, minutes="会议学习了党章。",
                                   present=[members[1].pk], actor=party_gulou)
    assert fixed.version == 3
    assert MeetingAttendance.objects.get(meeting=meeting, member=members[2]).status == "absent"


def test_record_rules(branch, members, other_branch, party_gulou, grid_worker):
    meeting = _plan(branch, party_gulou)
    now = timezone.now()
    for kwargs, field in [
            ({"held_at": now + dt.timedelta(hours=1)}, "held_at"),
            ({"minutes": ""}, "minutes"),
            ({"present": [members[0].pk], "leave": {members[0].pk: "病"}}, "leave"),
            ({"leave": {members[0].pk: ""}}, "leave"),
            ({"present": [999999999]}, "present")]:
        values = {"held_at": now, "minutes": "记录", **kwargs}
        with pytest.raises(ValidationError) as err:
            actions.record_meeting(meeting, **values, actor=party_gulou)
        assert field in err.value.message_dict, kwargs
    with pytest.raises(PermissionDenied):
        actions.record_meeting(meeting, held_at=now, minutes="x", actor=grid_worker)
    assert Meeting.objects.get(pk=meeting.pk).state == "planned"


def test_cancel(branch, members, party_gulou):
    meeting = _plan(branch, party_gulou, planned_at=timezone.now() + dt.timedelta(days=2))
    cancelled = actions.cancel_meeting(meeting, reason="台风", actor=party_gulou)
    assert cancelled.state == "cancelled" and cancelled.cancel_reason == "台风"
    actions.cancel_meeting(meeting, reason="台风", actor=party_gulou)
    assert _audits(meeting, "party_meetings.cancel") == 1
    with pytest.raises(ValidationError):
        actions.record_meeting(meeting, held_at=timezone.now(), minutes="x", actor=party_gulou)
    done = _plan(branch, party_gulou)
    actions.record_meeting(done, held_at=timezone.now(), minutes="x", actor=party_gulou)
    with pytest.raises(ValidationError):
        actions.cancel_meeting(done, actor=party_gulou)
