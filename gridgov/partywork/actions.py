"""Verbs of 党员联系户 and volunteer service: link and unlink households, log contacts,
organise volunteer activities, sign members up, credit their service hours.

Each checks its permission and scope, validates, and writes and audits in one transaction
(``actor=None``: the system, e.g. the demo loader).
"""

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core.access import get_scope, require
from gridgov.core.actors import acting_user as _user
from gridgov.core.concurrency import StaleVersion  # noqa: F401 (re-exported)
from gridgov.core.devicetime import check_device_time

from .choices import HOLDING, ActivityState, ContactWay, SignupStatus
from .households import is_household
from .models import ContactLink, ContactLog, VolunteerActivity, VolunteerSignup
from .permissions import CONTACT, MANAGE, VOLUNTEER

MAX_LINKS_PER_MEMBER = 10
MAX_NOTES = 2000
MAX_ACTIVITY_HOURS = Decimal("24")




def _covers(actor, code, perm) -> bool:
    if actor is None:
        return True
    scope = get_scope(actor)
    return scope is not None and scope.covers(code, perm)


def member_areas(member) -> list[str]:
    """Where a member may have linked households: their organisation's area, the area of the
    organisation they checked in to (双报到), and the grid they live in."""
    codes = [member.area_code]
    checked_in = getattr(member, "checked_in_to", None)
    if checked_in is not None:
        codes.append(checked_in.area_code)
    if member.person_id and member.person.area_code:
        codes.append(member.person.area_code)
    return [c for c in dict.fromkeys(codes) if c]


def _member_visible(member, actor):
    """The member as the actor may see it (404 otherwise)."""
    from gridgov.party.models import PartyMember

    qs = PartyMember.objects.all() if actor is None else PartyMember.objects.restrict(actor)
    found = qs.select_related("person", "checked_in_to").filter(pk=member.pk).first()
    if found is None:
        raise Http404(_("没有这个党员。"))
    return found


def _check_member_active(member, field="member"):
    if member.status != "active":
        raise ValidationError({field: _("该党员不是在册党员。")})


# --- links -------------------------------------------------------------------------------------


def link_state(link: ContactLink) -> dict:
    return {"member": link.member_id, "household_head": link.household_head_id,
            "area_code": link.area_code, "since": link.since.isoformat(),
            "until": link.until.isoformat() if link.until else None,
            "is_active": link.is_active, "note": link.note}


def link_household(member, household_head, *, actor, since=None, note="") -> ContactLink:
    """Link a member to a household (its head) of the member's areas (their organisation's,
    the one they checked in to, or their grid). A household has at most one active link; a
    member at most ``MAX_LINKS_PER_MEMBER``; a member does not link their own household."""
    from gridgov.basedata.models import Person

    require(actor, MANAGE, message=_("只有党组织书记可以安排党员联系户。"))
    member = _member_visible(member, actor)
    if not _covers(actor, household_head.area_code, MANAGE):
        raise Http404(_("没有这一户。"))
    _check_member_active(member)
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("不能超过 %(n)s 个字。") % {"n": 200}})
    since = since or timezone.localdate()
    if since > timezone.localdate():
        raise ValidationError({"since": _("起始日期不能晚于今天。")})
    with transaction.atomic():
        head = Person.objects.select_for_update().get(pk=household_head.pk)
        if not is_household(head):
            raise ValidationError({"household_head": _(
                "请选择一户的户主(该人员不是户主、已迁出或已死亡)。")})
        if not any(head.area_code.startswith(code) for code in member_areas(member)):
            raise ValidationError({"household_head": _(
                "该户不在党员所在组织、报到组织或居住网格的区域内。")})
        if head.pk == member.person_id or head.pk == member.person.household_head_id:
            raise ValidationError({"household_head": _("党员不联系自己家。")})
        taken = (ContactLink.objects.filter(household_head=head, is_active=True)
                 .select_related("member__person").first())
        if taken is not None:
            raise ValidationError({"household_head": _("该户已由党员%(name)s联系。")
                                   % {"name": taken.member.person.name}})
        count = ContactLink.objects.filter(member=member, is_active=True).count()
        if count >= MAX_LINKS_PER_MEMBER:
            raise ValidationError({"member": _("每名党员最多联系 %(n)d 户。")
                                   % {"n": MAX_LINKS_PER_MEMBER}})
        now = timezone.now()
        link = ContactLink.objects.create(
            member=member, household_head=head, area_code=head.area_code, since=since,
            note=note, created_by=_user(actor), updated_at=now)
        record("partywork.link", actor=actor, obj=link, after=link_state(link),
               new_chain=True)
    return link


def unlink_household(link: ContactLink, *, actor, until=None, note="",
                     expected_version=None) -> ContactLink:
    """End a link (the household moved, the member transferred, or another member takes
    over); the link and its contacts stay in the record."""
    require(actor, MANAGE, message=_("只有党组织书记可以调整党员联系户。"))
    if not _covers(actor, link.area_code, MANAGE):
        raise Http404(_("没有这条联系户记录。"))
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("不能超过 %(n)s 个字。") % {"n": 200}})
    until = until or timezone.localdate()
    with transaction.atomic():
        link = ContactLink.objects.select_for_update().get(pk=link.pk)
        if expected_version is not None and int(expected_version) != link.version:
            raise StaleVersion(link)
        if not link.is_active:
            raise ValidationError({"link": _("该联系户已解除。")})
        if until < link.since:
            raise ValidationError({"until": _("终止日期不能早于起始日期。")})
        if until > timezone.localdate():
            raise ValidationError({"until": _("终止日期不能晚于今天。")})
        before = link_state(link)
        link.is_active, link.until = False, until
        if note:
            link.note = note
        link.version += 1
        link.updated_at = timezone.now()
        link.save()
        record("partywork.unlink", actor=actor, obj=link, before=before,
               after=link_state(link))
    return link


# --- contacts ----------------------------------------------------------------------------------


def check_contacted_at(value, *, now=None) -> dt.datetime:
    """The device's time of the contact: at most 5 minutes ahead, at most 7 days old."""
    return check_device_time(value, field="contacted_at", label=_("联系时间"), now=now)


def _clean_contact(way, notes, needs, needs_note):
    from gridgov.visits.choices import Need

    if way not in ContactWay.values:
        raise ValidationError({"way": _("未知的联系方式。")})
    needs = list(dict.fromkeys(needs or ()))
    bad = [n for n in needs if n not in Need.values]
    if bad:
        raise ValidationError({"needs": _("未知的需求:%(n)s。") % {"n": "、".join(bad)}})
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise ValidationError({"notes": _("不能超过 %(n)s 个字。") % {"n": MAX_NOTES}})
    needs_note = (needs_note or "").strip()
    if len(needs_note) > 500:
        raise ValidationError({"needs_note": _("不能超过 %(n)s 个字。") % {"n": 500}})
    if not notes and not needs and not needs_note:
        raise ValidationError({"notes": _("请填写联系情况,或勾选需求。")})
    return notes, needs, needs_note


def log_state(log: ContactLog) -> dict:
    return {"link": log.link_id, "contacted_at": log.contacted_at.isoformat(),
            "way": log.way, "notes": log.notes, "needs": log.needs,
            "needs_note": log.needs_note, "client_id": str(log.client_id or "")}


def log_contact(link: ContactLink, *, actor, contacted_at=None, way=ContactWay.VISIT,
                notes="", needs=(), needs_note="", client_id=None) -> ContactLog:
    """Log a contact on an active link: the member logs their own households, a party
    secretary any link of the area. ``contacted_at`` is the device's time (≤ 5 minutes
    ahead, ≤ 7 days old); ``client_id`` the outbox's id: a retry returns the first log."""
    require(actor, CONTACT, MANAGE, message=_("您无权记录联系情况。"))
    if actor is not None and not ContactLink.objects.restrict(actor, "change").filter(
            pk=link.pk).exists():
        raise Http404(_("没有这条联系户记录。"))
    if client_id is not None and not isinstance(client_id, uuid.UUID):
        try:
            client_id = uuid.UUID(str(client_id))
        except ValueError:
            raise ValidationError({"client_id": _("客户端编号须为 UUID。")}) from None
    now = timezone.now()
    contacted_at = check_contacted_at(contacted_at, now=now)
    notes, needs, needs_note = _clean_contact(way, notes, needs, needs_note)
    with transaction.atomic():
        if client_id is not None:
            found = ContactLog.objects.filter(client_id=client_id).first()
            if found is not None:
                if found.link_id != link.pk:
                    raise ValidationError({"client_id": _("该客户端编号已用于另一条联系记录。")})
                return found
        link = ContactLink.objects.select_for_update().get(pk=link.pk)
        if not link.is_active:
            raise ValidationError({"link": _("该联系户已解除,不能再记录联系。")})
        if timezone.localdate(contacted_at) < link.since:
            raise ValidationError({"contacted_at": _("联系时间早于联系户的起始日期。")})
        log = ContactLog.objects.create(
            link=link, area_code=link.area_code, contacted_at=contacted_at, way=way,
            notes=notes, needs=needs, needs_note=needs_note, recorded_by=_user(actor),
            client_id=client_id, created_at=now, updated_at=now)
        if link.last_contact_at is None or contacted_at > link.last_contact_at:
            link.last_contact_at, link.updated_at = contacted_at, now
            link.save(update_fields=["last_contact_at", "updated_at"])
        record("partywork.contact", actor=actor, obj=log, after=log_state(log),
               new_chain=True)
    return log


def import_contacts(rows, *, actor=None) -> int:
    """Past contacts of the system (the demo, a migration of earlier records): no device-time
    window; rows are dicts of ``link`` + the fields of ``log_contact``. One audit record for
    the batch; the links' last contact moves on."""
    if actor is not None:
        raise ValidationError({"rows": _("只有系统可以补录历史联系记录。")})
    rows = list(rows)
    if not rows:
        return 0
    logs = []
    now = timezone.now()
    for row in rows:
        notes, needs, needs_note = _clean_contact(row.get("way", ContactWay.VISIT),
                                                  row.get("notes", ""), row.get("needs", ()),
                                                  row.get("needs_note", ""))
        link = row["link"]
        logs.append(ContactLog(link=link, area_code=link.area_code,
                               contacted_at=row["contacted_at"],
                               way=row.get("way", ContactWay.VISIT), notes=notes, needs=needs,
                               needs_note=needs_note, recorded_by=row.get("recorded_by"),
                               created_at=now, updated_at=now))
    with transaction.atomic():
        ContactLog.objects.bulk_create(logs, batch_size=500)
        last: dict[int, dt.datetime] = {}
        for log in logs:
            if log.link_id not in last or log.contacted_at > last[log.link_id]:
                last[log.link_id] = log.contacted_at
        links = list(ContactLink.objects.select_for_update().filter(pk__in=last))
        for link in links:
            if link.last_contact_at is None or last[link.pk] > link.last_contact_at:
                link.last_contact_at, link.updated_at = last[link.pk], now
        ContactLink.objects.bulk_update(links, ["last_contact_at", "updated_at"],
                                        batch_size=500)
        record("partywork.import_contacts", actor=None, object_type="partywork.contactlog",
               object_id="import", object_repr=_("联系记录"),
               after={"logs": len(logs), "links": len(links)})
    return len(logs)


# --- volunteer activities ----------------------------------------------------------------------


def activity_state(activity: VolunteerActivity) -> dict:
    return {"organisation": activity.organisation_id, "title": activity.title,
            "description": activity.description, "starts_at": activity.starts_at.isoformat(),
            "ends_at": activity.ends_at.isoformat(), "place": activity.place,
            "capacity": activity.capacity, "state": activity.state}


def save_activity(activity: VolunteerActivity | None, *, organisation, title, starts_at,
                  ends_at, place, actor, description="", capacity=None,
                  expected_version=None) -> VolunteerActivity:
    """Create (``activity=None``) or change a volunteer activity of an organisation of the
    actor's areas. A capacity below the places already taken is refused."""
    require(actor, MANAGE, message=_("只有党组织书记可以发布志愿服务活动。"))
    if organisation is None:
        raise ValidationError({"organisation": _("请选择组织单位。")})
    if not _covers(actor, organisation.area_code, MANAGE):
        raise ValidationError({"organisation": _("该党组织不在您的辖区内。")})
    if not getattr(organisation, "is_active", True):
        raise ValidationError({"organisation": _("该党组织已撤销。")})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写活动名称。")})
    if len(title) > 100:
        raise ValidationError({"title": _("不能超过 %(n)s 个字。") % {"n": 100}})
    place = (place or "").strip()
    if not place:
        raise ValidationError({"place": _("请填写活动地点。")})
    if len(place) > 200:
        raise ValidationError({"place": _("不能超过 %(n)s 个字。") % {"n": 200}})
    description = (description or "").strip()
    if len(description) > MAX_NOTES:
        raise ValidationError({"description": _("不能超过 %(n)s 个字。") % {"n": MAX_NOTES}})
    if starts_at is None:
        raise ValidationError({"starts_at": _("请填写开始时间。")})
    if ends_at is None or ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间须晚于开始时间。")})
    if ends_at - starts_at > dt.timedelta(days=7):
        raise ValidationError({"ends_at": _("一次活动不能超过 7 天。")})
    if capacity is not None and (capacity < 1 or capacity > 10000):
        raise ValidationError({"capacity": _("名额须在 1 到 10000 之间(不限名额请留空)。")})
    with transaction.atomic():
        before = None
        if activity is not None:
            activity = VolunteerActivity.objects.select_for_update().get(pk=activity.pk)
            if expected_version is not None and int(expected_version) != activity.version:
                raise StaleVersion(activity)
            if not _covers(actor, activity.area_code, MANAGE):
                raise Http404(_("没有这个活动。"))
            if activity.state != ActivityState.OPEN:
                raise ValidationError({"state": _("活动已结束或已取消,不能再修改。")})
            taken = activity.signups.filter(status__in=HOLDING).count()
            if capacity is not None and capacity < taken:
                raise ValidationError({"capacity": _("已有 %(n)d 人报名,名额不能少于报名人数。")
                                       % {"n": taken}})
            before = activity_state(activity)
            activity.version += 1
        else:
            if actor is not None and starts_at < timezone.now():
                raise ValidationError({"starts_at": _("开始时间不能早于现在。")})
            activity = VolunteerActivity(created_by=_user(actor))
        activity.organisation, activity.area_code = organisation, organisation.area_code
        activity.title, activity.description, activity.place = title, description, place
        activity.starts_at, activity.ends_at, activity.capacity = starts_at, ends_at, capacity
        activity.updated_at = timezone.now()
        activity.save()
        record("partywork.activity", actor=actor, obj=activity, before=before,
               after=activity_state(activity), new_chain=before is None)
    return activity


def _activity_for_change(activity, actor):
    activity = VolunteerActivity.objects.select_for_update().get(pk=activity.pk)
    if not _covers(actor, activity.area_code, MANAGE):
        raise Http404(_("没有这个活动。"))
    return activity


def cancel_activity(activity: VolunteerActivity, *, actor, reason="") -> VolunteerActivity:
    """Cancel an open activity (before it ends); its sign-ups are kept, no hours credited."""
    require(actor, MANAGE, message=_("只有党组织书记可以取消志愿服务活动。"))
    with transaction.atomic():
        activity = _activity_for_change(activity, actor)
        if activity.state != ActivityState.OPEN:
            raise ValidationError({"state": _("活动已结束或已取消。")})
        if activity.signups.filter(hours__gt=0).exists():
            raise ValidationError({"state": _("已认定服务时长的活动不能取消。")})
        before = activity_state(activity)
        activity.state, activity.version = ActivityState.CANCELLED, activity.version + 1
        activity.updated_at = timezone.now()
        activity.save()
        record("partywork.activity_cancel", actor=actor, obj=activity, before=before,
               after=activity_state(activity), remark=(reason or "")[:200])
    return activity


def finish_activity(activity: VolunteerActivity, *, actor) -> VolunteerActivity:
    """Close an activity that has ended: sign-ups still open become absent (no hours); hours
    may still be credited afterwards."""
    require(actor, MANAGE, message=_("只有党组织书记可以结束志愿服务活动。"))
    now = timezone.now()
    with transaction.atomic():
        activity = _activity_for_change(activity, actor)
        if activity.state != ActivityState.OPEN:
            raise ValidationError({"state": _("活动已结束或已取消。")})
        if activity.ends_at > now:
            raise ValidationError({"state": _("活动尚未结束。")})
        before = activity_state(activity)
        absent = activity.signups.filter(status=SignupStatus.SIGNED_UP).update(
            status=SignupStatus.ABSENT, updated_at=now)
        activity.state, activity.version = ActivityState.FINISHED, activity.version + 1
        activity.updated_at = now
        activity.save()
        record("partywork.activity_finish", actor=actor, obj=activity, before=before,
               after={**activity_state(activity), "absent": absent})
    return activity


def _signup_state(signup: VolunteerSignup) -> dict:
    return {"activity": signup.activity_id, "member": signup.member_id,
            "status": signup.status, "hours": str(signup.hours)}


def sign_up(activity: VolunteerActivity, member, *, actor) -> VolunteerSignup:
    """Sign a member up for an open activity that has not started: a member signs up
    themself (``partywork.volunteer``), a party secretary any member of their areas
    (``partywork.manage``). Full activities refuse; a cancelled sign-up is renewed."""
    from gridgov.party.models import PartyMember

    scope = require(actor, VOLUNTEER, MANAGE, message=_("您无权报名志愿服务活动。"))
    if scope is not None:
        self_signup = member.user_id is not None and member.user_id == actor.pk \
            and scope.can(VOLUNTEER)
        if not self_signup:
            if not scope.can(MANAGE):
                raise PermissionDenied(_("党员只能为本人报名。"))
            if not scope.covers(activity.area_code, MANAGE):
                raise Http404(_("没有这个活动。"))
            member = _member_visible(member, actor)
        elif not VolunteerActivity.objects.restrict(actor).filter(pk=activity.pk).exists():
            raise Http404(_("没有这个活动。"))
    now = timezone.now()
    with transaction.atomic():
        activity = VolunteerActivity.objects.select_for_update().get(pk=activity.pk)
        member = PartyMember.objects.get(pk=member.pk)
        _check_member_active(member)
        if activity.state != ActivityState.OPEN:
            raise ValidationError({"activity": _("活动已结束或已取消,不能报名。")})
        # The system may record past sign-ups (the demo's history).
        if actor is not None and activity.starts_at <= now:
            raise ValidationError({"activity": _("活动已开始,不能再报名。")})
        signup = VolunteerSignup.objects.filter(activity=activity, member=member).first()
        if signup is not None and signup.status in HOLDING:
            raise ValidationError({"member": _("该党员已报名此活动。")})
        taken = activity.signups.filter(status__in=HOLDING).count()
        if activity.capacity is not None and taken >= activity.capacity:
            raise ValidationError({"activity": _("名额已满。")})
        before = None
        if signup is None:
            signup = VolunteerSignup(activity=activity, member=member)
        else:
            before = _signup_state(signup)
            signup.version += 1
        # A past sign-up the system records (the demo's history) is dated before the start.
        signed_up_at = min(now, activity.starts_at - dt.timedelta(days=2))
        signup.area_code, signup.status, signup.signed_up_at = (
            member.area_code, SignupStatus.SIGNED_UP,
            signed_up_at if activity.starts_at <= now else now)
        signup.updated_at = now
        signup.save()
        record("partywork.sign_up", actor=actor, obj=signup, before=before,
               after=_signup_state(signup), new_chain=before is None)
    return signup


def cancel_signup(signup: VolunteerSignup, *, actor) -> VolunteerSignup:
    """Cancel a sign-up before the activity starts (the member themself or a secretary)."""
    require(actor, VOLUNTEER, MANAGE, message=_("您无权取消报名。"))
    if actor is not None and not VolunteerSignup.objects.restrict(actor, "change").filter(
            pk=signup.pk).exists():
        raise Http404(_("没有这条报名。"))
    now = timezone.now()
    with transaction.atomic():
        signup = (VolunteerSignup.objects.select_for_update().select_related("activity")
                  .get(pk=signup.pk))
        if signup.status != SignupStatus.SIGNED_UP:
            raise ValidationError({"status": _("只能取消尚未参加的报名。")})
        if signup.activity.starts_at <= now:
            raise ValidationError({"status": _("活动已开始,不能取消报名。")})
        before = _signup_state(signup)
        signup.status, signup.version, signup.updated_at = (
            SignupStatus.CANCELLED, signup.version + 1, now)
        signup.save()
        record("partywork.cancel_signup", actor=actor, obj=signup, before=before,
               after=_signup_state(signup))
    return signup


def parse_hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("请填写服务时长(小时),例如 2.5。")}) from None
    return hours


def credit_hours(signup: VolunteerSignup, *, hours, actor) -> VolunteerSignup:
    """The organiser credits a member's service hours once the activity has started: 0 marks
    the member absent; at most the activity's length (and 24 hours). A correction is a new
    credit (audited with the hours before)."""
    require(actor, MANAGE, message=_("只有党组织书记可以认定服务时长。"))
    hours = parse_hours(hours)
    now = timezone.now()
    with transaction.atomic():
        signup = (VolunteerSignup.objects.select_for_update().select_related("activity")
                  .get(pk=signup.pk))
        activity = signup.activity
        if not _covers(actor, activity.area_code, MANAGE):
            raise Http404(_("没有这条报名。"))
        if activity.state == ActivityState.CANCELLED:
            raise ValidationError({"hours": _("活动已取消,不能认定时长。")})
        if activity.starts_at > now:
            raise ValidationError({"hours": _("活动开始后才能认定服务时长。")})
        if signup.status == SignupStatus.CANCELLED:
            raise ValidationError({"hours": _("该党员已取消报名。")})
        limit = min(MAX_ACTIVITY_HOURS,
                    Decimal((activity.ends_at - activity.starts_at).total_seconds()) / 3600)
        if hours < 0 or hours > limit.quantize(Decimal("0.1")):
            raise ValidationError({"hours": _("服务时长须在 0 到 %(n)s 小时之间。")
                                   % {"n": limit.quantize(Decimal("0.1"))}})
        before = _signup_state(signup)
        signup.hours = hours
        signup.status = SignupStatus.ATTENDED if hours > 0 else SignupStatus.ABSENT
        signup.credited_at, signup.credited_by = now, _user(actor)
        signup.version, signup.updated_at = signup.version + 1, now
        signup.save()
        record("partywork.credit_hours", actor=actor, obj=signup, before=before,
               after=_signup_state(signup))
    return signup
