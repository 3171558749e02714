"""Verbs of 三会一课: plan a meeting (the notice goes to the members), sign in, record a held
meeting (minutes, photos, the sign-in sheet in one call), cancel it; save a requirement.

Each checks its permission and scope, validates, writes and audits in one transaction
(``actor=None``: the system, e.g. the demo loader). Repeating a call changes nothing more:
the notice is told once per member (``dedupe_key``), a second sign-in keeps the first, a
photo already on the meeting (same SHA-256) is not stored twice, a cancelled meeting stays
cancelled. The API and the pages also replay a retried write by its ``Idempotency-Key``.
"""

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core.access import get_scope, require
from gridgov.core.actors import acting_user as _user

from .choices import AttendanceStatus, MeetingKind, MeetingState, SignInWay, kind_allowed
from .models import Meeting, MeetingAttendance, MeetingPhoto, MeetingRequirement
from .permissions import MANAGE, MANAGE_REQUIREMENTS, SIGN_IN

FUTURE_SLACK = dt.timedelta(minutes=5)
MAX_PHOTOS = 9
MAX_TEXT = 5000
MAX_MINUTES = 20000
MAX_MONTHS = 24
PLAN_RANGE = dt.timedelta(days=366)
# On-site sign-in is open from the planned day to the day after (a meeting late at night).
SIGN_IN_DAYS = 1


def _check_scope(actor, area_code, perm=MANAGE):
    """The actor reaches the area with ``perm`` (else 404, like a missing meeting)."""
    if actor is None:
        return
    scope = get_scope(actor)
    if scope is None or not scope.covers(area_code, perm):
        raise Http404(_("没有这个会议。"))


def _text(value, field, limit, *, required=False):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > limit:
        raise ValidationError({field: _("不能超过 %(n)s 个字。") % {"n": limit}})
    return value


def _aware(value, field):
    if value is None:
        raise ValidationError({field: _("请填写时间。")})
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(9, 0))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def active_members(organisation):
    """The organisation's members in good standing (在册), person loaded."""
    from gridgov.party.models import PartyMember

    return (PartyMember.objects.filter(organisation_id=organisation.pk, status="active")
            .select_related("person").order_by("person__name", "pk"))


def meeting_state(meeting: Meeting) -> dict:
    return {"organisation": meeting.organisation_id, "kind": meeting.kind,
            "title": meeting.title, "planned_at": meeting.planned_at.isoformat(),
            "place": meeting.place, "notice": meeting.notice, "agenda": meeting.agenda,
            "state": meeting.state,
            "held_at": meeting.held_at.isoformat() if meeting.held_at else None,
            "minutes_sha256": hashlib.sha256(meeting.minutes.encode()).hexdigest()
            if meeting.minutes else "",
            "cancel_reason": meeting.cancel_reason, "version": meeting.version}


def _notify_members(meeting, text, key):
    from gridgov.notifications.actions import notify

    users = [m.user for m in active_members(meeting.organisation)
             .filter(user__isnull=False, user__is_active=True).select_related("user")]
    if users:
        notify(users, kind="other", text=text, dedupe_key=key, sms=False)


# --- plan, cancel --------------------------------------------------------------------------


def plan_meeting(organisation, *, kind, title, planned_at, place="", notice="", agenda="",
                 actor) -> Meeting:
    """Plan a meeting of an organisation of the actor's areas and send its notice to the
    organisation's members who have an account (in-app, once per member)."""
    require(actor, MANAGE, message=_("只有党组织书记可以组织会议。"))
    _check_scope(actor, organisation.area_code)
    if not organisation.is_active:
        raise ValidationError({"organisation": _("该党组织已撤销。")})
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("未知的会议类型。")})
    if not kind_allowed(kind, organisation.kind):
        raise ValidationError({"kind": _("党小组召开党小组会;党小组会由党小组召开。")})
    title = _text(title, "title", 120, required=True)
    place = _text(place, "place", 120)
    notice = _text(notice, "notice", MAX_TEXT)
    agenda = _text(agenda, "agenda", MAX_TEXT)
    planned_at = _aware(planned_at, "planned_at")
    now = timezone.now()
    if abs(planned_at - now) > PLAN_RANGE:
        raise ValidationError({"planned_at": _("召开时间须在前后一年之内。")})
    with transaction.atomic():
        meeting = Meeting.objects.create(
            organisation=organisation, area_code=organisation.area_code, kind=kind,
            title=title, planned_at=planned_at, place=place, notice=notice, agenda=agenda,
            notice_sent_at=now, recorded_by=_user(actor), created_at=now, updated_at=now)
        record("party_meetings.plan", actor=actor, obj=meeting, new_chain=True,
               after=meeting_state(meeting))
        text = _("%(org)s 将于 %(at)s 召开%(kind)s:“%(title)s”%(place)s。") % {
            "org": organisation.name, "at": timezone.localtime(planned_at).strftime(
                "%Y-%m-%d %H:%M"), "kind": meeting.get_kind_display(), "title": title,
            "place": (_(",地点:%(p)s") % {"p": place}) if place else ""}
        transaction.on_commit(lambda: _notify_members(
            meeting, text, f"party_meeting:{meeting.pk}:notice"))
    return meeting


def cancel_meeting(meeting: Meeting, *, reason="", actor) -> Meeting:
    """Cancel a planned meeting (a held one cannot be); the members are told once."""
    require(actor, MANAGE, message=_("只有党组织书记可以取消会议。"))
    _check_scope(actor, meeting.area_code)
    reason = _text(reason, "reason", 200)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("organisation").get(
            pk=meeting.pk)
        if meeting.state == MeetingState.CANCELLED:
            return meeting
        if meeting.state == MeetingState.HELD:
            raise ValidationError({"state": _("会议已召开,不能取消。")})
        before = meeting_state(meeting)
        meeting.state, meeting.cancel_reason = MeetingState.CANCELLED, reason
        meeting.version += 1
        meeting.updated_at = timezone.now()
        meeting.save()
        record("party_meetings.cancel", actor=actor, obj=meeting, before=before,
               after=meeting_state(meeting))
        text = _("%(org)s 原定 %(at)s 的%(kind)s“%(title)s”已取消。") % {
            "org": meeting.organisation.name,
            "at": timezone.localtime(meeting.planned_at).strftime("%Y-%m-%d %H:%M"),
            "kind": meeting.get_kind_display(), "title": meeting.title}
        transaction.on_commit(lambda: _notify_members(
            meeting, text, f"party_meeting:{meeting.pk}:cancel"))
    return meeting


# --- sign-in -------------------------------------------------------------------------------


def sign_in(meeting: Meeting, *, actor, member=None, now=None) -> MeetingAttendance:
    """Put a member on the meeting's sign-in sheet as present.

    ``member=None``: the actor signs in themselves (a party member with an account, on the
    field terminal: from the planned day to the day after). ``member`` given: the secretary
    ticks that member (from the planned day on). A second sign-in keeps the first."""
    from gridgov.party.models import PartyMember

    now = now or timezone.now()
    if member is None:
        require(actor, SIGN_IN, MANAGE, allow_system=False,
                message=_("您的角色无权签到。"))
        member = (PartyMember.objects.filter(user=actor, status="active",
                                             organisation_id=meeting.organisation_id).first())
        if member is None:
            raise PermissionDenied(_("您不是该党组织的在册党员,不能签到。"))
        way = SignInWay.ON_SITE
    else:
        require(actor, MANAGE, message=_("只有党组织书记可以代为签到。"))
        _check_scope(actor, meeting.area_code)
        way = SignInWay.BY_SECRETARY
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if member.organisation_id != meeting.organisation_id or member.status != "active":
            raise ValidationError({"member": _("该党员不在本党组织在册党员中。")})
        if meeting.state == MeetingState.CANCELLED:
            raise ValidationError({"meeting": _("会议已取消。")})
        planned_day = timezone.localdate(meeting.planned_at)
        today = timezone.localdate(now)
        if today < planned_day:
            raise ValidationError({"meeting": _("会议尚未开始,请在会议当天签到。")})
        if way == SignInWay.ON_SITE and meeting.state == MeetingState.PLANNED and (
                today > planned_day + dt.timedelta(days=SIGN_IN_DAYS)):
            raise ValidationError({"meeting": _("签到已截止,请联系党组织书记。")})
        row = MeetingAttendance.objects.filter(meeting=meeting, member=member).first()
        if row is not None and row.status == AttendanceStatus.PRESENT:
            return row
        before = {"status": row.status, "reason": row.reason} if row else None
        if row is None:
            row = MeetingAttendance(meeting=meeting, member=member)
        row.status, row.reason, row.signed_at, row.way = (
            AttendanceStatus.PRESENT, "", now, way)
        row.updated_at = now
        row.save()
        meeting.updated_at = now
        meeting.save(update_fields=["updated_at"])
        record("party_meetings.sign_in", actor=actor, obj=meeting, before=before,
               after={"member": member.pk, "status": row.status, "way": way,
                      "signed_at": now.isoformat()})
    return row


# --- record --------------------------------------------------------------------------------


def _prepare_photos(photos) -> list[dict]:
    from gridgov.events.attachments import PHOTO_TYPES, check_file

    photos = [p for p in (photos or []) if p]
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("照片不能超过 %(n)d 张。") % {"n": MAX_PHOTOS}})
    out = []
    for upload in photos:
        ctype, name, data = check_file(upload, field="photos")
        if ctype not in PHOTO_TYPES:
            raise ValidationError({"photos": _("“%(name)s”不是照片:仅接受 JPEG、PNG、WebP。")
                                   % {"name": name}})
        out.append({"name": name, "content_type": ctype, "data": data,
                    "sha256": hashlib.sha256(data).hexdigest()})
    return out


def _ids(values, field) -> list[int]:
    out = []
    for value in values or ():
        try:
            out.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            raise ValidationError({field: _("党员编号无效。")}) from None
    return out


def record_meeting(meeting: Meeting, *, held_at, minutes, present=(), leave=None, photos=(),
                   actor, now=None) -> Meeting:
    """Record a planned meeting as held: when, the minutes, the photos and the sign-in sheet
    in one call. ``present``: the member ids who attended (members who signed in themselves
    stay present); ``leave``: {member id: reason} (请假); every other member in good standing
    is absent (缺席). Recording a held meeting again corrects it (same rules)."""
    require(actor, MANAGE, message=_("只有党组织书记可以记录会议。"))
    _check_scope(actor, meeting.area_code)
    now = now or timezone.now()
    held_at = _aware(held_at, "held_at")
    if held_at > now + FUTURE_SLACK:
        raise ValidationError({"held_at": _("召开时间不能晚于当前时间。")})
    minutes = _text(minutes, "minutes", MAX_MINUTES, required=True)
    present_ids = set(_ids(present, "present"))
    leave = {int(k): _text(v, "leave", 200) for k, v in (leave or {}).items()}
    both = present_ids & set(leave)
    if both:
        raise ValidationError({"leave": _("同一党员不能既到会又请假。")})
    if any(not reason for reason in leave.values()):
        raise ValidationError({"leave": _("请填写请假原因。")})
    prepared = _prepare_photos(photos)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("organisation").get(
            pk=meeting.pk)
        if meeting.state == MeetingState.CANCELLED:
            raise ValidationError({"state": _("会议已取消,不能记录。")})
        if held_at.date() < (meeting.planned_at - dt.timedelta(days=31)).date():
            raise ValidationError({"held_at": _("召开时间早于计划时间一个月以上,请新建会议。")})
        members = {m.pk: m for m in active_members(meeting.organisation)}
        rows = {r.member_id: r for r in MeetingAttendance.objects.filter(meeting=meeting)}
        unknown = (present_ids | set(leave)) - set(members) - set(rows)
        if unknown:
            raise ValidationError({"present": _("以下党员不在本党组织:%(ids)s。")
                                   % {"ids": "、".join(str(i) for i in sorted(unknown))}})
        stored = meeting_state(meeting)
        before = {**stored, "attendance": _sheet(rows.values())}
        self_signed = {mid for mid, r in rows.items()
                       if r.status == AttendanceStatus.PRESENT and r.way == SignInWay.ON_SITE}
        creates, updates = [], []
        for member_id in sorted(set(members) | set(rows)):
            row = rows.get(member_id)
            if member_id in self_signed:
                continue
            if member_id in present_ids:
                status, reason = AttendanceStatus.PRESENT, ""
            elif member_id in leave:
                status, reason = AttendanceStatus.LEAVE, leave[member_id]
            else:
                status, reason = AttendanceStatus.ABSENT, ""
            if row is None:
                creates.append(MeetingAttendance(
                    meeting=meeting, member_id=member_id, status=status, reason=reason,
                    signed_at=held_at if status == AttendanceStatus.PRESENT else None,
                    way=SignInWay.BY_SECRETARY if status == AttendanceStatus.PRESENT else "",
                    updated_at=now))
            elif (row.status, row.reason) != (status, reason):
                row.status, row.reason, row.updated_at = status, reason, now
                if status == AttendanceStatus.PRESENT:
                    row.signed_at = row.signed_at or held_at
                    row.way = row.way or SignInWay.BY_SECRETARY
                else:
                    row.signed_at, row.way = None, ""
                updates.append(row)
        MeetingAttendance.objects.bulk_create(creates)
        MeetingAttendance.objects.bulk_update(updates, ["status", "reason", "signed_at", "way",
                                                        "updated_at"])
        known = set(meeting.photos.values_list("sha256", flat=True))
        new_photos = 0
        for photo in prepared:
            if photo["sha256"] in known:
                continue
            known.add(photo["sha256"])
            new_photos += 1
            MeetingPhoto.objects.create(
                meeting=meeting, file=ContentFile(photo["data"], name=photo["name"]),
                name=photo["name"], content_type=photo["content_type"],
                sha256=photo["sha256"], size=len(photo["data"]))
        meeting.state, meeting.held_at, meeting.minutes = MeetingState.HELD, held_at, minutes
        meeting.recorded_by = _user(actor) or meeting.recorded_by
        after = meeting_state(meeting)
        if after == stored and not (creates or updates or new_photos):
            return meeting  # the same record again: nothing to write
        after["attendance"] = _sheet(MeetingAttendance.objects.filter(meeting=meeting))
        after["photos"] = sorted(known)
        meeting.version += 1
        meeting.updated_at = now
        meeting.save()
        after["version"] = meeting.version
        record("party_meetings.record", actor=actor, obj=meeting, before=before, after=after)
    return meeting


def _sheet(rows) -> dict:
    out = {s: [] for s in AttendanceStatus.values}
    for row in rows:
        out[row.status].append(row.member_id)
    return {k: sorted(v) for k, v in out.items()}


def import_meetings(rows, *, actor=None) -> int:
    """Record past meetings in bulk (the system only: the demo, a migration from an earlier
    system). ``rows``: dicts of ``organisation``, ``kind``, ``title``, ``planned_at``,
    ``held_at`` (None: still planned), ``minutes``, ``present`` (member ids), ``leave``
    ({member id: reason}), ``members`` (the ids on the sheet). One audit record."""
    if actor is not None:
        raise PermissionDenied(_("只有系统导入可以补录历史会议。"))
    now = timezone.now()
    with transaction.atomic():
        meetings = []
        for row in rows:
            if not kind_allowed(row["kind"], row["organisation"].kind):
                raise ValidationError({"kind": _("会议类型与党组织类型不符。")})
            held = row.get("held_at")
            meetings.append(Meeting(
                organisation=row["organisation"], area_code=row["organisation"].area_code,
                kind=row["kind"], title=row["title"], planned_at=row["planned_at"],
                place=row.get("place", ""), notice=row.get("notice", ""),
                agenda=row.get("agenda", ""), notice_sent_at=row["planned_at"],
                held_at=held, minutes=row.get("minutes", ""),
                state=MeetingState.HELD if held else MeetingState.PLANNED,
                created_at=now, updated_at=now))
        Meeting.objects.bulk_create(meetings, batch_size=500)
        sheet = []
        for meeting, row in zip(meetings, rows, strict=True):
            if not meeting.held_at:
                continue
            present, leave = set(row.get("present", ())), row.get("leave", {})
            for member_id in row.get("members", ()):
                status = (AttendanceStatus.PRESENT if member_id in present else
                          AttendanceStatus.LEAVE if member_id in leave else
                          AttendanceStatus.ABSENT)
                sheet.append(MeetingAttendance(
                    meeting=meeting, member_id=member_id, status=status,
                    reason=leave.get(member_id, ""),
                    signed_at=meeting.held_at if status == AttendanceStatus.PRESENT else None,
                    way=SignInWay.BY_SECRETARY if status == AttendanceStatus.PRESENT else "",
                    updated_at=now))
        MeetingAttendance.objects.bulk_create(sheet, batch_size=1000)
        record("party_meetings.import", actor=None, object_type="party_meetings.meeting",
               object_id="import", object_repr=_("组织生活会议"),
               after={"meetings": len(meetings), "attendance": len(sheet)})
    return len(meetings)


# --- requirements --------------------------------------------------------------------------


def requirement_state(row: MeetingRequirement) -> dict:
    return {"kind": row.kind, "org_kind": row.org_kind, "every_months": row.every_months,
            "organisation": row.organisation_id, "is_active": row.is_active,
            "note": row.note, "version": row.version}


def save_requirement(requirement: MeetingRequirement | None = None, *, kind, org_kind="",
                     every_months, organisation=None, is_active=True, note="",
                     actor) -> MeetingRequirement:
    """Create (``requirement=None``) or change a required frequency: the default of an org
    kind (``organisation`` empty) or one organisation's own (its kind is the org kind)."""
    from gridgov.party.choices import OrgKind

    require(actor, MANAGE_REQUIREMENTS, message=_("只有系统管理员可以维护三会一课频次要求。"))
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("未知的会议类型。")})
    if organisation is not None:
        org_kind = organisation.kind
    if org_kind not in OrgKind.values:
        raise ValidationError({"org_kind": _("请选择党组织类型。")})
    if not kind_allowed(kind, org_kind):
        raise ValidationError({"kind": _("党小组召开党小组会;党小组会由党小组召开。")})
    try:
        every_months = int(every_months)
    except (TypeError, ValueError):
        every_months = 0
    if not (1 <= every_months <= MAX_MONTHS):
        raise ValidationError({"every_months": _("频次须在每 1 到 %(n)d 个月一次之间。")
                               % {"n": MAX_MONTHS}})
    note = _text(note, "note", 200)
    with transaction.atomic():
        before = None
        if requirement is not None:
            requirement = MeetingRequirement.objects.select_for_update().get(pk=requirement.pk)
            before = requirement_state(requirement)
        else:
            requirement = MeetingRequirement()
        clash = MeetingRequirement.objects.filter(kind=kind).exclude(pk=requirement.pk)
        clash = (clash.filter(organisation=organisation) if organisation is not None
                 else clash.filter(organisation__isnull=True, org_kind=org_kind))
        if clash.exists():
            raise ValidationError({"kind": _("已有这一会议类型的频次要求,请修改原有的一条。")})
        requirement.kind, requirement.org_kind = kind, org_kind
        requirement.every_months, requirement.organisation = every_months, organisation
        requirement.is_active, requirement.note = bool(is_active), note
        requirement.updated_by, requirement.updated_at = _user(actor), timezone.now()
        if before is not None:
            if requirement_state(requirement) == before:
                return requirement
            requirement.version += 1
        requirement.save()
        record("party_meetings.requirement", actor=actor, obj=requirement, before=before,
               after=requirement_state(requirement), new_chain=before is None)
    return requirement
