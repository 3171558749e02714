"""Verbs on members: register, change, status (death), transfers (组织关系转接) and
check-ins (双报到)."""


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core.access import require

from ..choices import (
    MemberKind,
    MemberStatus,
    OrgKind,
    TransferKind,
    TransferStatus,
)
from ..models import PartyMember, PartyOrganisation, PartyTransfer
from ..permissions import MANAGE
from .common import (
    _bump,
    _check_version,
    _clean_text,
    _covers,
    _day,
    _require_at,
    _user,
    add_years,
)
from .orgs import _end_open_posts

# --- members -----------------------------------------------------------------------------------


def member_state(m: PartyMember) -> dict:
    return {"person": m.person_id, "organisation": m.organisation_id, "area_code": m.area_code,
            "user": m.user_id, "kind": m.kind,
            "joined_on": m.joined_on and m.joined_on.isoformat(), "status": m.status,
            "in_service": m.in_service, "work_unit": m.work_unit,
            "checked_in_to": m.checked_in_to_id,
            "checked_in_on": m.checked_in_on and m.checked_in_on.isoformat(),
            "version": m.version}


def _clean_member(kind, joined_on, work_unit, in_service):
    if kind not in MemberKind.values:
        raise ValidationError({"kind": _("未知的党员类别。")})
    joined_on = _day(joined_on, "joined_on")
    if joined_on is not None and joined_on > timezone.localdate():
        raise ValidationError({"joined_on": _("入党日期不能晚于今天。")})
    work_unit = _clean_text(work_unit, "work_unit", 100)
    if in_service and not work_unit:
        raise ValidationError({"work_unit": _("在职党员请填写工作单位。")})
    return joined_on, work_unit


def add_member(*, person, organisation: PartyOrganisation, kind=MemberKind.FULL,
               joined_on=None, in_service=False, work_unit="", user=None,
               actor) -> PartyMember:
    """Register a basic-data person as a member of an organisation (the person's personal
    data stays on the person: nothing is copied). The person must live in an area where the
    actor holds ``party.manage``, be residing, and not be an active member already."""
    require(actor, MANAGE, message=_("您无权维护党员信息。"))
    if person is None:
        raise ValidationError({"person": _("请选择人员。")})
    _require_at(actor, person.area_code, _("没有这个人员。"))
    joined_on, work_unit = _clean_member(kind, joined_on, work_unit, in_service)
    with transaction.atomic():
        from gridgov.basedata.models import Person

        person = Person.objects.select_for_update().get(pk=person.pk)
        org = PartyOrganisation.objects.get(pk=organisation.pk)
        _require_at(actor, org.area_code, _("没有这个党组织。"))
        if not org.is_active:
            raise ValidationError({"organisation": _("该党组织已撤销。")})
        if person.merged_into_id or person.status != "residing":
            raise ValidationError({"person": _("该人员已迁出、死亡或已合并。")})
        if PartyMember.objects.filter(person=person, status=MemberStatus.ACTIVE).exists():
            raise ValidationError({"person": _("该人员已是在册党员。")})
        if joined_on and person.birth_date and joined_on < add_years(person.birth_date, 18):
            raise ValidationError({"joined_on": _("入党时须年满 18 周岁。")})
        now = timezone.now()
        member = PartyMember.objects.create(
            person=person, organisation=org, area_code=org.area_code, user=user, kind=kind,
            joined_on=joined_on, in_service=bool(in_service), work_unit=work_unit,
            created_at=now, updated_at=now, updated_by=_user(actor))
        record("party.member_add", actor=actor, obj=member, object_repr=person.name,
               after=member_state(member), new_chain=True)
    return member


def update_member(member: PartyMember, *, kind, joined_on=None, in_service=False,
                  work_unit="", user=None, expected_version=None, actor) -> PartyMember:
    """Change a member's kind (e.g. 预备 → 正式), joining date, in-service flag, work unit and
    linked account. An in-service flag removed also removes the check-in."""
    require(actor, MANAGE, message=_("您无权维护党员信息。"))
    joined_on, work_unit = _clean_member(kind, joined_on, work_unit, in_service)
    with transaction.atomic():
        member = PartyMember.objects.select_for_update().get(pk=member.pk)
        _require_at(actor, member.area_code, _("没有这个党员。"))
        _check_version(member, expected_version)
        before = member_state(member)
        member.kind, member.joined_on = kind, joined_on
        member.in_service, member.work_unit, member.user = bool(in_service), work_unit, user
        if not member.in_service:
            member.checked_in_to, member.checked_in_on = None, None
        _bump(member, actor)
        member.save()
        record("party.member_save", actor=actor, obj=member, before=before,
               after=member_state(member), object_repr=member.person.name)
    return member


def _set_status(member, status, on, *, actor, note="", transfer=None):
    before = member_state(member)
    member.status, member.status_changed_on = status, on
    ended = _end_open_posts(member, on) if status != MemberStatus.ACTIVE else []
    if status != MemberStatus.ACTIVE:
        member.checked_in_to, member.checked_in_on = None, None
    _bump(member, actor)
    member.save()
    after = member_state(member)
    if ended:
        after["posts_ended"] = ended
    if transfer is not None:
        after["transfer"] = transfer.pk
    record("party.member_status", actor=actor, obj=member, before=before, after=after,
           object_repr=member.person.name, remark=note)


def change_member_status(member: PartyMember, *, status, on=None, note="",
                         expected_version=None, actor) -> PartyMember:
    """Set a member's status (已故, 已出党, or back to 在册); leaving the roll ends the
    member's posts and check-in. Transfers go through ``request_transfer``."""
    require(actor, MANAGE, message=_("您无权维护党员信息。"))
    if status not in (MemberStatus.ACTIVE, MemberStatus.DECEASED, MemberStatus.LEFT):
        raise ValidationError({"status": _("转出请使用组织关系转接。")})
    on = _day(on, "on") or timezone.localdate()
    note = _clean_text(note, "note", 200)
    with transaction.atomic():
        member = PartyMember.objects.select_for_update().select_related("person").get(
            pk=member.pk)
        _require_at(actor, member.area_code, _("没有这个党员。"))
        _check_version(member, expected_version)
        if member.status == status:
            return member
        if status == MemberStatus.ACTIVE:
            if member.status == MemberStatus.DECEASED or member.person.status == "deceased":
                raise ValidationError({"status": _("已故党员不能恢复在册。")})
            if PartyMember.objects.filter(person_id=member.person_id,
                                          status=MemberStatus.ACTIVE).exists():
                raise ValidationError({"status": _("该人员已有在册的党员记录。")})
        _cancel_pending(member, actor)
        _set_status(member, status, on, actor=actor, note=note)
    return member


def _cancel_pending(member, actor):
    PartyTransfer.objects.filter(member=member, status=TransferStatus.PENDING).update(
        status=TransferStatus.CANCELLED, decided_by=_user(actor), decided_at=timezone.now(),
        updated_at=timezone.now())


def record_death(person, *, on=None, actor=None) -> list[PartyMember]:
    """A person's death recorded in basic data: the person's active memberships become 已故
    (posts and check-in end, a pending transfer is withdrawn), audited with who recorded the
    death. Called by the ``person_status_changed`` receiver; no party permission needed."""
    on = _day(on, "on") or timezone.localdate()
    changed = []
    with transaction.atomic():
        for member in (PartyMember.objects.select_for_update().select_related("person")
                       .filter(person_id=person.pk, status=MemberStatus.ACTIVE)):
            _cancel_pending(member, actor)
            _set_status(member, MemberStatus.DECEASED, on, actor=actor,
                        note=_("依据人员死亡登记"))
            changed.append(member)
    return changed


# --- transfers (组织关系转接) -------------------------------------------------------------------


def transfer_state(t: PartyTransfer) -> dict:
    return {"member": t.member_id, "kind": t.kind, "from": t.from_organisation_id,
            "to": t.to_organisation_id, "destination": t.destination, "reason": t.reason,
            "status": t.status, "note": t.decision_note}


def request_transfer(member: PartyMember, *, kind=TransferKind.INTERNAL, to_organisation=None,
                     destination="", reason="", actor) -> PartyTransfer:
    """Transfer a member's organisation relation out: to an organisation in the system
    (pending until its secretary accepts) or out of the system (``destination`` text; the
    member leaves the roll at once, 已转出)."""
    require(actor, MANAGE, message=_("您无权维护党员信息。"))
    if kind not in TransferKind.values:
        raise ValidationError({"kind": _("未知的转接方式。")})
    reason = _clean_text(reason, "reason", 200)
    destination = _clean_text(destination, "destination", 200,
                              required=kind == TransferKind.EXTERNAL, label=_("转往单位"))
    with transaction.atomic():
        member = PartyMember.objects.select_for_update().select_related("person").get(
            pk=member.pk)
        _require_at(actor, member.area_code, _("没有这个党员。"))
        if member.status != MemberStatus.ACTIVE:
            raise ValidationError({"member": _("该党员不在册,不能转接。")})
        if PartyTransfer.objects.filter(member=member, status=TransferStatus.PENDING).exists():
            raise ValidationError({"member": _("该党员已有待接收的转接。")})
        now = timezone.now()
        transfer = PartyTransfer(
            member=member, kind=kind, from_organisation_id=member.organisation_id,
            from_area_code=member.area_code, destination=destination, reason=reason,
            requested_by=_user(actor), requested_at=now, updated_at=now)
        if kind == TransferKind.INTERNAL:
            if to_organisation is None:
                raise ValidationError({"to_organisation": _("请选择接收党组织。")})
            to = PartyOrganisation.objects.filter(pk=to_organisation.pk).first()
            if to is None or not to.is_active:
                raise ValidationError({"to_organisation": _("接收党组织不存在或已撤销。")})
            if to.pk == member.organisation_id:
                raise ValidationError({"to_organisation": _("接收党组织不能是原党组织。")})
            transfer.to_organisation, transfer.to_area_code = to, to.area_code
            transfer.destination = destination or to.name
            transfer.save()
        else:
            transfer.status = TransferStatus.COMPLETED
            transfer.decided_by, transfer.decided_at = _user(actor), now
            transfer.save()
            _set_status(member, MemberStatus.TRANSFERRED_OUT, timezone.localdate(),
                        actor=actor, note=destination, transfer=transfer)
        record("party.transfer", actor=actor, obj=transfer, object_repr=member.person.name,
               after=transfer_state(transfer), new_chain=True)
    return transfer


def _pending(transfer, actor, *, side):
    transfer = (PartyTransfer.objects.select_for_update()
                .select_related("member__person").get(pk=transfer.pk))
    code = transfer.to_area_code if side == "to" else transfer.from_area_code
    if not _covers(actor, code, MANAGE):
        if _covers(actor, transfer.from_area_code if side == "to" else transfer.to_area_code):
            raise PermissionDenied(_("只有接收党组织可以接收或退回,只有转出党组织可以撤回。"))
        raise Http404(_("没有这个转接。"))
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError({"status": _("该转接已处理。")})
    return transfer


def _decide(transfer, status, note, actor):
    before = transfer_state(transfer)
    transfer.status, transfer.decision_note = status, note
    transfer.decided_by, transfer.decided_at = _user(actor), timezone.now()
    transfer.version += 1
    transfer.updated_at = transfer.decided_at
    transfer.save()
    return before


def accept_transfer(transfer: PartyTransfer, *, note="", actor) -> PartyTransfer:
    """The receiving organisation's secretary accepts: the member moves to that
    organisation (posts in the old one end; the check-in stays)."""
    require(actor, MANAGE, message=_("您无权接收组织关系。"))
    note = _clean_text(note, "note", 200)
    with transaction.atomic():
        transfer = _pending(transfer, actor, side="to")
        member = PartyMember.objects.select_for_update().get(pk=transfer.member_id)
        to = PartyOrganisation.objects.get(pk=transfer.to_organisation_id)
        if not to.is_active:
            raise ValidationError({"to_organisation": _("接收党组织已撤销。")})
        before = _decide(transfer, TransferStatus.ACCEPTED, note, actor)
        member_before = member_state(member)
        ended = _end_open_posts(member, timezone.localdate())
        member.organisation, member.area_code = to, to.area_code
        _bump(member, actor)
        member.save()
        record("party.transfer_accept", actor=actor, obj=transfer, before=before,
               after={**transfer_state(transfer), "member_before": member_before,
                      "member_after": member_state(member), "posts_ended": ended},
               object_repr=transfer.member.person.name)
    return transfer


def reject_transfer(transfer: PartyTransfer, *, note="", actor) -> PartyTransfer:
    """The receiving organisation returns the transfer (the member stays where it was)."""
    require(actor, MANAGE, message=_("您无权接收组织关系。"))
    note = _clean_text(note, "note", 200, required=True, label=_("退回原因"))
    with transaction.atomic():
        transfer = _pending(transfer, actor, side="to")
        before = _decide(transfer, TransferStatus.REJECTED, note, actor)
        record("party.transfer_reject", actor=actor, obj=transfer, before=before,
               after=transfer_state(transfer), object_repr=transfer.member.person.name)
    return transfer


def cancel_transfer(transfer: PartyTransfer, *, note="", actor) -> PartyTransfer:
    """The sending organisation withdraws a pending transfer."""
    require(actor, MANAGE, message=_("您无权维护党员信息。"))
    note = _clean_text(note, "note", 200)
    with transaction.atomic():
        transfer = _pending(transfer, actor, side="from")
        before = _decide(transfer, TransferStatus.CANCELLED, note, actor)
        record("party.transfer_cancel", actor=actor, obj=transfer, before=before,
               after=transfer_state(transfer), object_repr=transfer.member.person.name)
    return transfer


# --- 双报到 -------------------------------------------------------------------------------------

CHECK_IN_KINDS = {OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}


def check_in(member: PartyMember, *, organisation: PartyOrganisation, on=None,
             actor) -> PartyMember:
    """An in-service member (在职党员) checks in to the party organisation of their home
    community (在职党员到社区报到). Recorded by the secretary of either side: the member's
    own organisation or the receiving community organisation."""
    require(actor, MANAGE, message=_("您无权登记报到。"))
    on = _day(on, "on") or timezone.localdate()
    with transaction.atomic():
        member = PartyMember.objects.select_for_update().select_related("person").get(
            pk=member.pk)
        org = PartyOrganisation.objects.filter(pk=organisation.pk).first() \
            if organisation is not None else None
        if org is None:
            raise ValidationError({"organisation": _("请选择报到的社区党组织。")})
        if not (_covers(actor, member.area_code) or _covers(actor, org.area_code)):
            raise Http404(_("没有这个党员。"))
        if member.status != MemberStatus.ACTIVE:
            raise ValidationError({"member": _("该党员不在册。")})
        if not member.in_service:
            raise ValidationError({"member": _("只有在职党员需要到社区报到。")})
        if not org.is_active or org.kind not in CHECK_IN_KINDS or len(org.area_code) < 12:
            raise ValidationError({"organisation": _("请选择社区(村)一级的党组织。")})
        if org.pk == member.organisation_id:
            raise ValidationError({"organisation": _("不能报到到本人所在党组织。")})
        if on > timezone.localdate():
            raise ValidationError({"on": _("报到日期不能晚于今天。")})
        before = member_state(member)
        member.checked_in_to, member.checked_in_on = org, on
        _bump(member, actor)
        member.save()
        record("party.checkin", actor=actor, obj=member, before=before,
               after=member_state(member), object_repr=member.person.name)
    return member


def check_out(member: PartyMember, *, actor) -> PartyMember:
    """End a member's check-in (moved home, no longer in service)."""
    require(actor, MANAGE, message=_("您无权登记报到。"))
    with transaction.atomic():
        member = PartyMember.objects.select_for_update().select_related("person").get(
            pk=member.pk)
        code = member.checked_in_to.area_code if member.checked_in_to_id else ""
        if not (_covers(actor, member.area_code) or _covers(actor, code)):
            raise Http404(_("没有这个党员。"))
        if member.checked_in_to_id is None:
            return member
        before = member_state(member)
        member.checked_in_to, member.checked_in_on = None, None
        _bump(member, actor)
        member.save()
        record("party.checkout", actor=actor, obj=member, before=before,
               after=member_state(member), object_repr=member.person.name)
    return member
