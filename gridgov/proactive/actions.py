"""Verbs of proactive services: start and stop benefits, open, close and cancel service
tasks, end a person's services, close tasks by a visit, record consent.

Each checks its permission (``actor=None`` is the system: the rule engine's outcomes, the
receivers of basic data and visits, the demo loader), validates, writes and audits in one
transaction, and tells people (``gridgov.notifications``) after the commit.

Decisions:
- A benefit is never doubled: one active benefit per person and kind (a constraint); a
  person reaching the next age band of an active allowance moves to that band (audited).
- A service task is not doubled either: while a task of the same kind for the same person
  (or the same place) is open, a new firing returns the open one.
- A person is told by SMS only with consent (the latest ``Consent`` row says agreed); without
  it the grid worker gets a 待遇告知 task to tell the person face to face.
"""

import calendar
import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record, snapshot
from gridgov.core.access import get_scope, require
from gridgov.core.actors import acting_user as _user

from .choices import (
    ENDED_STATUSES,
    VISIT_CLOSES,
    BenefitKind,
    BenefitStatus,
    Channel,
    Target,
    TaskKind,
    TaskState,
)
from .models import AllowanceTier, Benefit, Consent, ServiceTask
from .permissions import CONSENT, WORK

MAX_NOTE = 500
# Kinds a home visit (上门) must close; the others close with any contact (a phone call).
HOME_ONLY = frozenset({TaskKind.HOME_VISIT, TaskKind.CERTIFICATION})
BENEFIT_FIELDS = ("person", "kind", "tier", "monthly_amount", "status", "started_on",
                  "stopped_on", "stop_reason", "without_application", "reason", "firing",
                  "next_certification_on", "area_code", "version")
TASK_FIELDS = ("kind", "title", "person", "subject", "grid", "area_code", "assignee",
               "department", "due_at", "state", "reason", "firing", "closed_at", "closed_by",
               "closing_visit", "close_note", "version")


def _status(person) -> str:
    return getattr(person, "status", "") or "residing"


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def age_this_month(birth: dt.date | None, today: dt.date) -> int | None:
    """The age a person reaches by the end of this month (a birthday later this month
    counts: the allowance starts in the month a person turns 80)."""
    if birth is None:
        return None
    end = month_end(today)
    return end.year - birth.year - ((end.month, end.day) < (birth.month, birth.day))


def has_sms_consent(person) -> bool:
    """Whether the person's latest SMS consent says yes (no row: no)."""
    latest = (Consent.objects.filter(person_id=person.pk, channel=Channel.SMS)
              .order_by("-recorded_at", "-pk").values_list("agreed", flat=True).first())
    return bool(latest)


# --- who does the work -----------------------------------------------------------------------


def grid_workers(grid_code: str) -> list:
    """Who works the grid's proactive services: the active holders of ``proactive.work``
    assigned to the grid itself (its grid workers); when the grid has none, the holders in
    the areas above it (the community's grid chief). One or two queries."""
    from gridgov.accounts.models import User
    from gridgov.notifications.recipients import area_prefixes, roles_with

    roles = roles_with(WORK, department_bound=False)
    if not roles:
        return []
    base = User.objects.filter(is_active=True, assignments__role__in=roles)
    found = list(base.filter(assignments__area__code=grid_code).distinct().order_by("pk"))
    if found:
        return found
    above = [c for c in area_prefixes(grid_code) if c != grid_code]
    return list(base.filter(assignments__area__code__in=above).distinct().order_by("pk"))


def department_handlers(area_code: str, department_id: int) -> list:
    from gridgov.notifications.recipients import staff

    return staff(area_code, WORK, department_id=department_id)


# --- telling people --------------------------------------------------------------------------


def _tell_users(users, text, *, sms: bool, key: str) -> None:
    users = [u for u in users if u is not None]
    if not users:
        return

    def send():
        from gridgov.notifications.actions import notify
        from gridgov.notifications.choices import Kind

        # DISPATCH goes out by SMS too (an alert must reach a worker who is not signed
        # in); the other tasks are in-app only (sms=False).
        notify(users, kind=Kind.DISPATCH, text=text, dedupe_key=key, sms=sms)

    transaction.on_commit(send)


def _tell_person(person, text, *, key: str) -> bool:
    """SMS to the person's own phone, only with consent; whether a message was sent."""
    if not has_sms_consent(person):
        return False
    phone = person.phone() if person.phone_enc else ""
    if not phone:
        return False

    def send():
        from gridgov.notifications.actions import notify
        from gridgov.notifications.choices import Kind

        notify([], kind=Kind.PROGRESS, text=text, phones=[phone], dedupe_key=key)

    transaction.on_commit(send)
    return True


# --- benefits --------------------------------------------------------------------------------


def benefit_state(benefit: Benefit) -> dict:
    return snapshot(benefit, BENEFIT_FIELDS)


def start_benefit(person, *, kind, actor=None, today=None, without_application=False,
                  reason="", firing=None, next_certification_on=None,
                  started_on=None) -> Benefit:
    """Start a benefit for a person (the system only: a rule's outcome, or the civil-affairs
    roll loaded by the demo or an import).

    An allowance's band and amount come from ``AllowanceTier`` by the age the person
    reaches this month. An active benefit of the kind is returned as it is (moved to the
    new band when the person reached one). A benefit granted without application tells the
    person by SMS when they agreed, else opens a 待遇告知 task for the grid worker."""
    if actor is not None:
        raise PermissionDenied(_("待遇只能由规则或民政名册启动。"))
    if kind not in BenefitKind.values:
        raise ValidationError({"kind": _("未知的待遇类型。")})
    today = today or timezone.localdate()
    reason = (reason or "").strip()[:500]
    with transaction.atomic():
        from gridgov.basedata.models import Person

        person = Person.objects.select_for_update().get(pk=person.pk)
        if _status(person) != "residing" or person.merged_into_id:
            raise ValidationError({"person": _("该人员已迁出、死亡或已合并,不能启动待遇。")})
        tier = None
        if kind == BenefitKind.ELDERLY_ALLOWANCE:
            tier = AllowanceTier.for_age(kind, age_this_month(person.birth_date, today))
            if tier is None:
                raise ValidationError({"person": _("该人员本月未达到高龄津贴的年龄。")})
        current = (Benefit.objects.select_for_update()
                   .filter(person=person, kind=kind, status=BenefitStatus.ACTIVE).first())
        if current is not None:
            if tier is not None and current.tier_id != tier.pk and (
                    current.tier is None or tier.min_age > current.tier.min_age):
                before = benefit_state(current)
                current.tier, current.monthly_amount = tier, tier.monthly_amount
                current.reason, current.firing = reason or current.reason, firing
                current.version += 1
                current.updated_at = timezone.now()
                current.save()
                record("proactive.benefit_tier", actor=actor, obj=current, before=before,
                       after=benefit_state(current))
            return current
        now = timezone.now()
        benefit = Benefit.objects.create(
            person=person, kind=kind, tier=tier,
            monthly_amount=tier.monthly_amount if tier else None,
            started_on=started_on or (today.replace(day=1) if without_application else today),
            without_application=without_application, reason=reason, firing=firing,
            next_certification_on=next_certification_on, area_code=person.area_code,
            created_at=now, updated_at=now)
        record("proactive.benefit_start", actor=actor, obj=benefit, new_chain=True,
               after=benefit_state(benefit))
    if without_application:
        label = benefit.get_kind_display() + (f"({tier.label})" if tier else "")
        text = _("【主动服务】%(name)s您好,您的%(label)s已按规定自动发放,无需申请。"
                 "如有疑问请联系所在社区。") % {"name": person.name, "label": label}
        if not _tell_person(person, text, key=f"proactive.benefit:{benefit.pk}"):
            grid = person.grid
            open_task(kind=TaskKind.BENEFIT_NOTICE, grid=grid, person=person,
                      title=_("告知%(name)s:%(label)s已免申发放") % {
                          "name": person.name, "label": label},
                      due_at=now + dt.timedelta(days=7), reason=reason, firing=firing)
    return benefit


def stop_benefit(benefit: Benefit, *, reason, actor=None, on=None) -> Benefit:
    """Stop an active benefit with the reason (the system: a death or a move-out)."""
    if actor is not None:
        raise PermissionDenied(_("待遇只能由规则或民政名册停发。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写停发原因。")})
    with transaction.atomic():
        benefit = Benefit.objects.select_for_update().get(pk=benefit.pk)
        if benefit.status != BenefitStatus.ACTIVE:
            return benefit
        before = benefit_state(benefit)
        _stop(benefit, reason, on or timezone.localdate())
        record("proactive.benefit_stop", actor=actor, obj=benefit, before=before,
               after=benefit_state(benefit))
    return benefit


def _stop(benefit, reason, on):
    benefit.status, benefit.stopped_on = BenefitStatus.STOPPED, on
    benefit.stop_reason = reason[:200]
    benefit.version += 1
    benefit.updated_at = timezone.now()
    benefit.save()


# --- service tasks ---------------------------------------------------------------------------


def task_state(task: ServiceTask) -> dict:
    return snapshot(task, TASK_FIELDS)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render_title(template: str, values: dict) -> str:
    """Fill ``{name}``-style placeholders from ``values`` (plain words only: an edited rule
    never evaluates anything); unknown placeholders stay as written."""
    def fill(match):
        value = values.get(match.group(1))
        return match.group(0) if value is None else str(value)

    return _PLACEHOLDER.sub(fill, template or "").strip()[:120]


def open_task(*, kind, title, grid, actor=None, person=None, subject="", to=Target.GRID_WORKER,
              department=None, due_at=None, reason="", firing=None) -> ServiceTask:
    """Open a service task in a grid for its grid worker (``to="grid_worker"``) or for a
    department, and tell them. While the same kind of task is open for the same person (or
    place), that task is returned instead of a second one."""
    scope = require(actor, WORK)
    if kind not in TaskKind.values:
        raise ValidationError({"kind": _("未知的任务类型。")})
    if grid is None or grid.level != "grid":
        raise ValidationError({"grid": _("请选择一个网格。")})
    if scope is not None and not scope.covers(grid.code, WORK):
        raise ValidationError({"grid": _("该网格不在您的辖区内。")})
    title = (title or "").strip()[:120]
    if not title:
        raise ValidationError({"title": _("请填写任务标题。")})
    subject = (subject or "").strip()[:200]
    if to not in Target.values:
        raise ValidationError({"to": _("请选择办理对象。")})
    if to == Target.DEPARTMENT and department is None:
        raise ValidationError({"department": _("请选择办理部门。")})
    with transaction.atomic():
        same = ServiceTask.objects.select_for_update().filter(
            kind=kind, state=TaskState.OPEN, area_code=grid.code)
        same = same.filter(person=person) if person is not None else same.filter(
            person__isnull=True, subject=subject)
        existing = same.first()
        if existing is not None:
            return existing
        assignee = None
        if to == Target.GRID_WORKER:
            workers = grid_workers(grid.code)
            assignee = workers[0] if workers else None
            department = None
        now = timezone.now()
        task = ServiceTask.objects.create(
            kind=kind, title=title, person=person, subject=subject, grid=grid,
            area_code=grid.code, assignee=assignee, department=department, due_at=due_at,
            reason=(reason or "").strip(), firing=firing, created_at=now, updated_at=now)
        record("proactive.task_open", actor=actor, obj=task, new_chain=True,
               after=task_state(task))
        due = (_(",请于 %(t)s 前办理") % {"t": timezone.localtime(due_at)
                                         .strftime("%m-%d %H:%M")}) if due_at else ""
        text = _("【主动服务】新%(kind)s:%(title)s%(due)s。") % {
            "kind": task.get_kind_display(), "title": title, "due": due}
        users = [assignee] if assignee else (
            department_handlers(grid.code, department.pk) if department else [])
        _tell_users(users, text, sms=kind == TaskKind.ALERT,
                    key=f"proactive.task:{task.pk}")
    return task


def _lock_open(task) -> ServiceTask:
    task = ServiceTask.objects.select_for_update().get(pk=task.pk)
    if task.state != TaskState.OPEN:
        raise ValidationError({"state": _("该任务已办结或已取消。")})
    return task


def close_task(task: ServiceTask, *, actor, note="", visit=None) -> ServiceTask:
    """Close an open task by hand with a note (what was done), optionally naming the visit
    that served it. Grid workers and chiefs in the task's grid, department handlers for
    their department's tasks."""
    require(actor, WORK, message=_("您无权办结服务任务。"))
    if actor is not None and not ServiceTask.objects.restrict(actor, "change").filter(
            pk=task.pk).exists():
        raise Http404(_("没有这个服务任务。"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写办理情况。")})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("不能超过 %(n)s 个字。") % {"n": MAX_NOTE}})
    if visit is not None and (task.person_id is None or visit.person_id != task.person_id):
        raise ValidationError({"visit": _("该走访记录不是本任务服务对象的。")})
    with transaction.atomic():
        task = _lock_open(task)
        before = task_state(task)
        now = timezone.now()
        task.state, task.closed_at, task.closed_by = TaskState.DONE, now, _user(actor)
        task.close_note, task.closing_visit = note, visit
        task.version += 1
        task.updated_at = now
        task.save()
        record("proactive.task_close", actor=actor, obj=task, before=before,
               after=task_state(task))
    return task


def cancel_task(task: ServiceTask, *, actor, reason) -> ServiceTask:
    """Cancel an open task with the reason (no longer needed)."""
    require(actor, WORK, message=_("您无权取消服务任务。"))
    if actor is not None and not ServiceTask.objects.restrict(actor, "change").filter(
            pk=task.pk).exists():
        raise Http404(_("没有这个服务任务。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因。")})
    with transaction.atomic():
        task = _lock_open(task)
        before = task_state(task)
        now = timezone.now()
        task.state, task.closed_at, task.closed_by = TaskState.CANCELLED, now, _user(actor)
        task.close_note = reason[:MAX_NOTE]
        task.version += 1
        task.updated_at = now
        task.save()
        record("proactive.task_cancel", actor=actor, obj=task, before=before,
               after=task_state(task))
    return task


# --- what other apps tell us -----------------------------------------------------------------


def end_person_services(person, *, status, on=None, actor=None) -> dict:
    """A death or a move-out (basic data): stop the person's active benefits and cancel
    their open service tasks, with the reason; one audit record on the person's services
    chain. Acts for basic data (the receiver passes who recorded the change)."""
    label = ENDED_STATUSES.get(status)
    if label is None:
        raise ValidationError({"status": _("只有死亡或迁出会停发待遇。")})
    on = on or timezone.localdate()
    reason = _("%(what)s(%(on)s)") % {"what": label, "on": on.isoformat()}
    with transaction.atomic():
        benefits = list(Benefit.objects.select_for_update()
                        .filter(person_id=person.pk, status=BenefitStatus.ACTIVE))
        tasks = list(ServiceTask.objects.select_for_update()
                     .filter(person_id=person.pk, state=TaskState.OPEN))
        if not benefits and not tasks:
            return {"benefits": 0, "tasks": 0}
        for benefit in benefits:
            _stop(benefit, reason, on)
        now = timezone.now()
        for task in tasks:
            task.state, task.closed_at = TaskState.CANCELLED, now
            task.close_note = reason
            task.version += 1
            task.updated_at = now
        ServiceTask.objects.bulk_update(tasks, ["state", "closed_at", "close_note", "version",
                                                "updated_at"])
        record("proactive.person_ended", actor=actor, object_type="proactive.person",
               object_id=person.pk, object_repr=str(person.name),
               after={"status": status, "on": on.isoformat(), "reason": reason,
                      "benefits": sorted(b.pk for b in benefits),
                      "tasks": sorted(t.pk for t in tasks)})
    return {"benefits": len(benefits), "tasks": len(tasks)}


def close_tasks_by_visit(visit, *, actor=None) -> int:
    """A visit to the person closes their open alert, notice, home-visit and certification
    tasks (the last two only by a home visit: 上门); one audit record. The number closed."""
    kinds = set(VISIT_CLOSES)
    if visit.kind != "home":
        kinds -= HOME_ONLY
    with transaction.atomic():
        tasks = list(ServiceTask.objects.select_for_update().filter(
            person_id=visit.person_id, state=TaskState.OPEN, kind__in=kinds))
        if not tasks:
            return 0
        now = timezone.now()
        note = _("已走访(%(t)s)") % {"t": timezone.localtime(visit.visited_at)
                                     .strftime("%Y-%m-%d %H:%M")}
        for task in tasks:
            task.state, task.closed_at, task.closed_by = TaskState.DONE, now, visit.visitor
            task.closing_visit, task.close_note = visit, note
            task.version += 1
            task.updated_at = now
        ServiceTask.objects.bulk_update(tasks, ["state", "closed_at", "closed_by",
                                                "closing_visit", "close_note", "version",
                                                "updated_at"])
        record("proactive.visit_closed", actor=actor or visit.visitor,
               object_type="proactive.visit", object_id=visit.pk,
               object_repr=str(visit.person.name),
               after={"visit": visit.pk, "tasks": sorted(t.pk for t in tasks)})
    return len(tasks)


# --- consent ---------------------------------------------------------------------------------


def record_consent(person, *, agreed, actor, note="", channel=Channel.SMS) -> Consent:
    """Record whether the person agreed to be told by SMS (a new row; the latest counts).
    Grid workers and chiefs of the person's areas."""
    require(actor, CONSENT, message=_("您无权登记告知意愿。"))
    if actor is not None:
        scope = get_scope(actor)
        if scope is None or not scope.covers(person.area_code, CONSENT):
            raise Http404(_("没有这个人员。"))
    if channel not in Channel.values:
        raise ValidationError({"channel": _("未知的告知方式。")})
    if agreed is None:
        raise ValidationError({"agreed": _("请选择是否同意。")})
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("不能超过 %(n)s 个字。") % {"n": 200}})
    with transaction.atomic():
        now = timezone.now()
        consent = Consent.objects.create(
            person_id=person.pk, channel=channel, agreed=bool(agreed),
            area_code=person.area_code, recorded_by=_user(actor), recorded_at=now,
            note=note, updated_at=now)
        record("proactive.consent", actor=actor, obj=consent, new_chain=True,
               after={"person": person.pk, "channel": channel, "agreed": bool(agreed),
                      "note": note})
    return consent
