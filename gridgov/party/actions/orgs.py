"""Verbs on organisations: save, 换届 (terms), posts, and the term reminders."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core.access import require

from ..choices import (
    PARENT_KINDS,
    MemberStatus,
    OrgKind,
    PostKind,
)
from ..models import PartyMember, PartyOrganisation, PartyPost, PartyTerm
from ..permissions import MANAGE
from .common import (
    MAX_TERM_YEARS,
    TERM_REMINDER_DAYS,
    _bump,
    _check_version,
    _clean_text,
    _day,
    _require_at,
    _user,
    add_years,
)

# --- organisations -----------------------------------------------------------------------------


def org_state(org: PartyOrganisation) -> dict:
    return {"name": org.name, "kind": org.kind, "parent": org.parent_id,
            "area_code": org.area_code, "is_active": org.is_active,
            "term_started_on": org.term_started_on and org.term_started_on.isoformat(),
            "term_ends_on": org.term_ends_on and org.term_ends_on.isoformat(),
            "version": org.version}


def _ancestors(org):
    seen = set()
    while org is not None and org.pk not in seen:
        seen.add(org.pk)
        yield org
        org = org.parent


def _clean_org(org, *, name, kind, area, parent):
    name = _clean_text(name, "name", 100, required=True, label=_("名称"))
    if kind not in OrgKind.values:
        raise ValidationError({"kind": _("未知的党组织类型。")})
    if area is None:
        raise ValidationError({"area": _("请选择所在区域。")})
    allowed = PARENT_KINDS[OrgKind(kind)]
    if parent is None and None not in allowed:
        raise ValidationError({"parent": _("党小组须设在党支部或党总支之下。")})
    if parent is not None:
        if not parent.is_active:
            raise ValidationError({"parent": _("上级党组织已撤销。")})
        if parent.kind not in allowed:
            raise ValidationError({"parent": _("%(kind)s不能设在%(parent)s之下。") % {
                "kind": OrgKind(kind).label, "parent": OrgKind(parent.kind).label}})
        if not area.code.startswith(parent.area_code):
            raise ValidationError({"area": _("所在区域须在上级党组织的区域之内。")})
        if org is not None and org.pk and any(a.pk == org.pk for a in _ancestors(parent)):
            raise ValidationError({"parent": _("上级党组织不能是本组织或其下级。")})
    return name


def save_organisation(org: PartyOrganisation | None = None, *, name, kind, area, parent=None,
                      is_active=True, expected_version=None, actor) -> PartyOrganisation:
    """Create (``org=None``) or change a party organisation of an area where the actor holds
    ``party.manage``; the tree rules: a group sits under a branch or general branch, a
    child's area lies inside its parent's. Terms are set with ``set_term``."""
    require(actor, MANAGE, message=_("您无权维护党组织。"))
    _require_at(actor, area.code if area is not None else "", _("没有这个区域。"))
    with transaction.atomic():
        before = None
        if org is not None:
            org = PartyOrganisation.objects.select_for_update().get(pk=org.pk)
            _require_at(actor, org.area_code, _("没有这个党组织。"))
            _check_version(org, expected_version)
            before = org_state(org)
        name = _clean_org(org, name=name, kind=kind, area=area, parent=parent)
        if org is not None and not is_active and org.is_active:
            if org.children.filter(is_active=True).exists():
                raise ValidationError({"is_active": _("该党组织还有下级党组织,不能撤销。")})
            if org.members.filter(status=MemberStatus.ACTIVE).exists():
                raise ValidationError({"is_active": _("该党组织还有在册党员,请先转接。")})
        if org is None:
            org = PartyOrganisation(version=1)
        elif org.area_id != area.pk and org.members.exists():
            raise ValidationError({"area": _("已有党员的党组织不能改变所在区域。")})
        org.name, org.kind, org.parent, org.area = name, kind, parent, area
        org.area_code, org.is_active = area.code, bool(is_active)
        org.updated_by, org.updated_at = _user(actor), timezone.now()
        if before is not None:
            org.version += 1
        org.save()
        record("party.org_save", actor=actor, obj=org, before=before, after=org_state(org),
               new_chain=before is None)
    return org


def set_term(org: PartyOrganisation, *, started_on, ends_on, note="", expected_version=None,
             actor) -> PartyTerm:
    """Record a 换届: the new term's dates become the organisation's (its reminder restarts)."""
    require(actor, MANAGE, message=_("您无权维护党组织。"))
    started_on, ends_on = _day(started_on, "started_on"), _day(ends_on, "ends_on")
    if started_on is None:
        raise ValidationError({"started_on": _("请填写本届开始日期。")})
    if ends_on is None:
        raise ValidationError({"ends_on": _("请填写届满日期。")})
    if ends_on <= started_on:
        raise ValidationError({"ends_on": _("届满日期须晚于本届开始日期。")})
    if ends_on > add_years(started_on, MAX_TERM_YEARS):
        raise ValidationError({"ends_on": _("一届不能超过 %(n)d 年。") % {"n": MAX_TERM_YEARS}})
    note = _clean_text(note, "note", 200)
    with transaction.atomic():
        org = PartyOrganisation.objects.select_for_update().get(pk=org.pk)
        _require_at(actor, org.area_code, _("没有这个党组织。"))
        _check_version(org, expected_version)
        before = org_state(org)
        term = PartyTerm.objects.create(organisation=org, area_code=org.area_code,
                                        started_on=started_on, ends_on=ends_on, note=note,
                                        recorded_by=_user(actor))
        org.term_started_on, org.term_ends_on = started_on, ends_on
        _bump(org, actor)
        org.save()
        record("party.term", actor=actor, obj=org, before=before, after=org_state(org),
               remark=note)
    return term


# --- posts -------------------------------------------------------------------------------------


def post_state(post: PartyPost) -> dict:
    return {"organisation": post.organisation_id, "member": post.member_id, "post": post.post,
            "started_on": post.started_on.isoformat(),
            "ended_on": post.ended_on and post.ended_on.isoformat()}


def appoint(org: PartyOrganisation, *, member: PartyMember, post, started_on=None,
            actor) -> PartyPost:
    """Give a member a post in the organisation (its own or one of its sub-organisations'
    member). A new 书记 ends the previous secretary's post the same day."""
    require(actor, MANAGE, message=_("您无权维护党组织。"))
    if post not in PostKind.values:
        raise ValidationError({"post": _("未知的职务。")})
    started_on = _day(started_on, "started_on") or timezone.localdate()
    with transaction.atomic():
        org = PartyOrganisation.objects.select_for_update().get(pk=org.pk)
        _require_at(actor, org.area_code, _("没有这个党组织。"))
        member = PartyMember.objects.select_related("organisation").get(pk=member.pk)
        if member.status != MemberStatus.ACTIVE:
            raise ValidationError({"member": _("该党员不在册。")})
        if not any(a.pk == org.pk for a in _ancestors(member.organisation)):
            raise ValidationError({"member": _("只能任命本组织及下级组织的党员。")})
        if PartyPost.objects.filter(organisation=org, member=member, post=post,
                                    ended_on__isnull=True).exists():
            raise ValidationError({"post": _("该党员已担任此职务。")})
        if post == PostKind.SECRETARY:
            for old in PartyPost.objects.filter(organisation=org, post=PostKind.SECRETARY,
                                                ended_on__isnull=True):
                old.ended_on = max(started_on, old.started_on)
                old.version += 1
                old.updated_at = timezone.now()
                old.save(update_fields=["ended_on", "version", "updated_at"])
        row = PartyPost.objects.create(organisation=org, member=member,
                                       area_code=org.area_code, post=post,
                                       started_on=started_on)
        record("party.post", actor=actor, obj=row, after=post_state(row), new_chain=True)
    return row


def end_post(post: PartyPost, *, ended_on=None, actor) -> PartyPost:
    """End a post (免职) on ``ended_on`` (default today)."""
    require(actor, MANAGE, message=_("您无权维护党组织。"))
    ended_on = _day(ended_on, "ended_on") or timezone.localdate()
    with transaction.atomic():
        post = PartyPost.objects.select_for_update().get(pk=post.pk)
        _require_at(actor, post.area_code, _("没有这个职务。"))
        if post.ended_on is not None:
            return post
        if ended_on < post.started_on:
            raise ValidationError({"ended_on": _("离任日期不能早于任职日期。")})
        before = post_state(post)
        post.ended_on = ended_on
        post.version += 1
        post.updated_at = timezone.now()
        post.save()
        record("party.post_end", actor=actor, obj=post, before=before, after=post_state(post))
    return post


def _end_open_posts(member, on) -> list[int]:
    rows = list(PartyPost.objects.filter(member=member, ended_on__isnull=True))
    now = timezone.now()
    for row in rows:
        row.ended_on, row.updated_at, row.version = max(on, row.started_on), now, row.version + 1
    PartyPost.objects.bulk_update(rows, ["ended_on", "updated_at", "version"])
    return [r.pk for r in rows]


# --- term reminders ----------------------------------------------------------------------------


def secretaries_of(org: PartyOrganisation):
    """Who is told about an organisation: the active users holding a role that grants
    ``party.manage`` in the organisation's area or an area above it, and the account of the
    organisation's current 书记."""
    from gridgov.accounts.models import Assignment, User
    from gridgov.areas.choices import CODE_LENGTH
    from gridgov.core.access import grants

    roles = [r for r, perms in grants.table().grants.items() if MANAGE in perms]
    codes = {org.area_code[:n] for n in CODE_LENGTH.values() if n <= len(org.area_code)}
    ids = set(Assignment.objects.filter(role__in=roles, area__code__in=codes)
              .values_list("user_id", flat=True)) if roles else set()
    ids |= set(PartyPost.objects.filter(organisation=org, post=PostKind.SECRETARY,
                                        ended_on__isnull=True, member__user__isnull=False)
               .values_list("member__user_id", flat=True))
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def due_for_reminder(today=None):
    """Active organisations whose term ends within ``TERM_REMINDER_DAYS`` (or has ended
    within the last year without a new term recorded)."""
    today = today or timezone.localdate()
    return (PartyOrganisation.objects.filter(
        is_active=True, term_ends_on__lte=today + dt.timedelta(days=TERM_REMINDER_DAYS),
        term_ends_on__gte=today - dt.timedelta(days=365)).order_by("term_ends_on", "pk"))


def send_term_reminders(*, today=None, actor=None) -> int:
    """Tell each due organisation's secretaries once (per term end) that 换届 is due
    (``notifications.notify`` with a dedupe key); the number of people told."""
    from gridgov.notifications.actions import notify
    from gridgov.notifications.choices import Kind

    require(actor, MANAGE)
    today = today or timezone.localdate()
    told, orgs = 0, []
    with transaction.atomic():
        for org in due_for_reminder(today):
            days = (org.term_ends_on - today).days
            if days >= 0:
                text = _("%(org)s 本届任期将于 %(date)s 届满(还有 %(n)d 天),请做好换届准备。")
            else:
                text = _("%(org)s 本届任期已于 %(date)s 届满(已逾期 %(n)d 天),请尽快换届。")
            text = text % {"org": org.name, "date": org.term_ends_on.isoformat(),
                           "n": abs(days)}
            sent = notify(secretaries_of(org), kind=Kind.DUE_SOON, text=text,
                          dedupe_key=f"party.term:{org.pk}:{org.term_ends_on.isoformat()}",
                          actor=actor)
            if sent:
                told += len(sent)
                orgs.append(org.pk)
        if orgs:
            record("party.term_reminder", actor=actor,
                   object_type="party.partyorganisation", object_id="reminders",
                   object_repr=_("换届提醒"),
                   after={"organisations": orgs, "people": told, "on": today.isoformat()})
    return told
