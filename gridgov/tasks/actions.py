"""Verbs of the tasks app: assign (create), accept, complete, cancel, reassign.

Each checks its permission and the actor's scope, validates, writes the task, its history
step and the audit record in one transaction, and tells the assignee on commit. A change to
a task whose state does not allow it, or that carries a stale ``expected_version`` when
someone else changed the task since, raises ``Conflict`` (the API answers 409 with the task
as it stands). A worker's own earlier writes never conflict with their later ones: an
accept and a completion queued offline from the same page both go through.
"""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record, snapshot
from gridgov.core.access import get_scope, require
from gridgov.core.actors import acting_user as _user
from gridgov.events import attachments as attachment_files
from gridgov.events.duplicates import haversine_m

from . import dispatching
from .choices import OPEN_STATES, AssignMode, StepAction, TaskKind, TaskState
from .models import Task, TaskAttachment, TaskStep

MAX_TEXT = 2000
MAX_PHOTOS = 9
# A device clock may run a little ahead of the server's.
CLOCK_SKEW = timezone.timedelta(minutes=5)
TRACKED = ("kind", "title", "instructions", "area_code", "event", "person", "house", "lng",
           "lat", "assignee", "assign_mode", "assign_distance_m", "due_at", "state",
           "result_note", "done_lng", "done_lat", "done_accuracy_m", "done_distance_m",
           "cancel_reason")


class Conflict(Exception):
    """The task moved on: its state does not allow the step, or someone changed it since the
    version the writer saw. ``task`` is the task as it stands now."""

    def __init__(self, message="", *, task=None):
        super().__init__(message or _("任务已被他人修改,请刷新后重试。"))
        self.task = task


def _text(value, field, *, required=True, max_length=MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > max_length:
        raise ValidationError({field: _("不能超过 %(n)s 个字。") % {"n": max_length}})
    return value


def parse_point(lng, lat, *, lng_field="lng", lat_field="lat"):
    """(lng, lat) or None; both or neither, within WGS-84 ranges."""
    if lng in (None, "") and lat in (None, ""):
        return None
    if lng in (None, "") or lat in (None, ""):
        missing = lat_field if lng not in (None, "") else lng_field
        raise ValidationError({missing: _("经度和纬度须同时填写。")})
    try:
        lng, lat = float(lng), float(lat)
    except (TypeError, ValueError):
        raise ValidationError({lng_field: _("经纬度须为数字。")}) from None
    if not -180 <= lng <= 180:
        raise ValidationError({lng_field: _("经度须在 -180 到 180 之间。")})
    if not -90 <= lat <= 90:
        raise ValidationError({lat_field: _("纬度须在 -90 到 90 之间。")})
    return lng, lat


def state_of(task) -> dict:
    return snapshot(task, TRACKED)


def _works_in(user, street: str) -> bool:
    """Whether ``user`` may work tasks (``tasks.work``) somewhere in the street."""
    scope = get_scope(user)
    if scope is None or not getattr(user, "is_active", False):
        return False
    return any(code.startswith(street) or street.startswith(code)
               for code in scope.codes_for("tasks.work"))


def _choose(grid, point, *, assignee, nearest) -> tuple:
    """(assignee, mode, distance) for a task in ``grid`` at ``point``."""
    if nearest and assignee is not None:
        raise ValidationError({"assignee": _("请指定网格员或选择派给最近的在岗网格员,二选一。")})
    if nearest:
        if point is None:
            point = (grid.centroid_lng, grid.centroid_lat)
        found = dispatching.candidates(grid.code, point)
        if not found:
            raise ValidationError({"nearest": _(
                "本街道当前没有在岗的网格员(没有进行中的巡查),请指定网格员。")})
        from gridgov.accounts.models import User

        by_id = {u.pk: u for u in User.objects.filter(pk__in=[c.user_id for c in found],
                                                      is_active=True)}
        street = dispatching.street_code(grid.code)
        for candidate in found:
            user = by_id.get(candidate.user_id)
            if user is not None and _works_in(user, street):
                return user, AssignMode.NEAREST, candidate.distance_m
        raise ValidationError({"nearest": _(
            "本街道当前没有在岗的网格员(没有进行中的巡查),请指定网格员。")})
    if assignee is None:
        raise ValidationError({"assignee": _("请选择执行任务的网格员。")})
    if not _works_in(assignee, dispatching.street_code(grid.code)):
        raise ValidationError({"assignee": _("所选人员不是本街道的网格员。")})
    return assignee, AssignMode.NAMED, None


def _step(task, action, *, actor, from_state, note="", distance_m=None):
    return TaskStep.objects.create(
        task=task, action=action, actor=_user(actor), assignee_id=task.assignee_id,
        from_state=from_state, to_state=task.state, note=note, distance_m=distance_m,
        version=task.version, at=task.updated_at)


def _notify(task, text):
    def send():
        from gridgov.notifications.actions import notify
        from gridgov.notifications.choices import Kind

        notify([task.assignee], kind=Kind.DISPATCH, text=text, event=task.event,
               dedupe_key=f"task:{task.pk}:{task.version}")

    transaction.on_commit(send)


def _assign_text(task) -> str:
    due = (_(",请于 %(t)s 前完成") % {"t": timezone.localtime(task.due_at)
                                        .strftime("%m-%d %H:%M")}) if task.due_at else ""
    return _("新%(kind)s:%(title)s%(due)s。请在移动终端“任务”中查看。") % {
        "kind": task.get_kind_display(), "title": task.title, "due": due}


def assign_task(*, kind, title, actor, grid=None, instructions="", event=None, person=None,
                house=None, lng=None, lat=None, due_at=None, assignee=None,
                nearest=False) -> Task:
    """Create a task and assign it to a named grid worker of the street, or (``nearest``) to
    the on-duty grid worker nearest to the task's point; refused clearly when nobody is on
    duty. The grid defaults to the target event's; the point to the event's."""
    scope = require(actor, "tasks.assign", message=_("您的角色不能派发指挥任务。"))
    if kind not in TaskKind.values:
        raise ValidationError({"kind": _("请选择任务类型。")})
    title = _text(title, "title", max_length=100)
    instructions = _text(instructions, "instructions", required=False)
    if grid is None and event is not None:
        grid = event.grid
    if grid is None:
        raise ValidationError({"grid": _("请选择网格。")})
    if grid.level != "grid":
        raise ValidationError({"grid": _("请选择一个网格(不是社区或街道)。")})
    if scope is not None and not scope.covers(grid.code, "tasks.assign"):
        raise ValidationError({"grid": _("该网格不在您的辖区内。")})
    for obj, field in ((person, "person"), (house, "house")):
        if obj is not None and not obj.area_code.startswith(dispatching.street_code(grid.code)):
            raise ValidationError({field: _("关联对象不在该网格所在街道。")})
    point = parse_point(lng, lat)
    if due_at is not None and due_at < timezone.now():
        raise ValidationError({"due_at": _("完成时限不能早于现在。")})
    target = point or ((event.lng, event.lat) if event is not None else None)
    with transaction.atomic():
        chosen, mode, distance = _choose(grid, target, assignee=assignee, nearest=nearest)
        now = timezone.now()
        task = Task.objects.create(
            kind=kind, title=title, instructions=instructions, grid=grid, area_code=grid.code,
            event=event, person=person, house=house,
            lng=point[0] if point else None, lat=point[1] if point else None,
            assignee=chosen, assigned_by=_user(actor), assigned_at=now, assign_mode=mode,
            assign_distance_m=distance, due_at=due_at, created_at=now, updated_at=now)
        _step(task, StepAction.ASSIGN, actor=actor, from_state="", distance_m=distance)
        record("tasks.assign", actor=actor, obj=task, after=state_of(task), new_chain=True)
        _notify(task, _assign_text(task))
    return task


def _begin(task, action, *, actor, expected_version, sources) -> Task:
    """Load the task fresh (locked) and check the version and the state."""
    current = (Task.objects.select_for_update(of=("self",)).select_related("event")
               .get(pk=task.pk))
    if expected_version not in (None, ""):
        try:
            expected = int(expected_version)
        except (TypeError, ValueError):
            raise ValidationError({"expected_version": _("版本号须为整数。")}) from None
        if expected != current.version:
            others = current.steps.filter(version__gt=expected).exclude(
                actor_id=getattr(_user(actor), "pk", None))
            if expected > current.version or others.exists():
                raise Conflict(task=current)
    if current.state not in sources:
        raise Conflict(_("任务当前状态为“%(s)s”,不能%(a)s。") % {
            "s": current.get_state_display(), "a": StepAction(action).label}, task=current)
    return current


def _save(task, action, *, actor, from_state, note="", distance_m=None):
    """Write the task with its next version and the history step (the caller audits)."""
    task.version += 1
    task.updated_at = timezone.now()
    task.save()
    _step(task, action, actor=actor, from_state=from_state, note=note, distance_m=distance_m)
    return task


def _require_assignee(task, actor, verb):
    require(actor, "tasks.work", message=_("您的角色不能执行指挥任务。"))
    if getattr(actor, "pk", None) != task.assignee_id:
        raise PermissionDenied(_("只有任务执行人可以%(v)s。") % {"v": verb})


def _require_assigner(task, actor):
    scope = require(actor, "tasks.assign", message=_("您的角色不能调整指挥任务。"))
    if scope is not None and not scope.covers(task.area_code, "tasks.assign"):
        raise PermissionDenied(_("该任务不在您的辖区内。"))


def accept_task(task, *, actor, expected_version=None) -> Task:
    """The assignee takes the task on (已派发 → 已接收)."""
    _require_assignee(task, actor, _("接收任务"))
    with transaction.atomic():
        current = _begin(task, StepAction.ACCEPT, actor=actor,
                         expected_version=expected_version, sources=(TaskState.ASSIGNED,))
        _require_assignee(current, actor, _("接收任务"))
        before, from_state = state_of(current), current.state
        current.state, current.accepted_at = TaskState.ACCEPTED, timezone.now()
        _save(current, StepAction.ACCEPT, actor=actor, from_state=from_state)
        record("tasks.accept", actor=actor, obj=current, before=before,
               after=state_of(current))
    return current


def _photos(photos) -> list[tuple[str, str, bytes]]:
    photos = [p for p in (photos or ()) if p]
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("照片不能超过 %(n)d 张。") % {"n": MAX_PHOTOS}})
    out = []
    for upload in photos:
        ctype, name, data = attachment_files.check_file(upload, field="photos")
        if ctype not in attachment_files.PHOTO_TYPES:
            raise ValidationError({"photos": _("只能上传照片(JPEG、PNG、WebP)。")})
        out.append((ctype, name, data))
    return out


def complete_task(task, *, note, actor, photos=(), lng=None, lat=None, accuracy_m=None,
                  position_at=None, expected_version=None) -> Task:
    """The assignee reports back (已派发/已接收 → 已完成): a note, photos (a verification
    needs one) and the device's position, whose distance to the task's point is kept."""
    _require_assignee(task, actor, _("回报任务"))
    note = _text(note, "note")
    files = _photos(photos)
    position = parse_point(lng, lat)
    if accuracy_m not in (None, ""):
        try:
            accuracy_m = float(accuracy_m)
        except (TypeError, ValueError):
            raise ValidationError({"accuracy_m": _("定位精度须为数字。")}) from None
        if accuracy_m < 0:
            raise ValidationError({"accuracy_m": _("定位精度不能为负数。")})
    else:
        accuracy_m = None
    if position_at is not None and position_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"position_at": _("定位时间不能晚于现在。")})
    with transaction.atomic():
        current = _begin(task, StepAction.COMPLETE, actor=actor,
                         expected_version=expected_version, sources=OPEN_STATES)
        _require_assignee(current, actor, _("回报任务"))
        if current.kind == TaskKind.VERIFY and not files:
            raise ValidationError({"photos": _("核查任务须附现场照片。")})
        before, from_state = state_of(current), current.state
        now = timezone.now()
        target = current.point()
        distance = None
        if position and target:
            distance = round(haversine_m(target[0], target[1], position[0], position[1]), 1)
        current.state, current.done_at, current.result_note = TaskState.DONE, now, note
        if current.accepted_at is None:
            current.accepted_at = now
        current.done_lng, current.done_lat = position if position else (None, None)
        current.done_accuracy_m = accuracy_m if position else None
        current.done_position_at = (position_at or now) if position else None
        current.done_distance_m = distance
        _save(current, StepAction.COMPLETE, actor=actor, from_state=from_state, note=note,
              distance_m=distance)
        record("tasks.complete", actor=actor, obj=current, before=before,
               after=state_of(current),
               remark=_("%(n)d 张照片") % {"n": len(files)} if files else "")
        for ctype, name, data in files:
            item = TaskAttachment(task=current, name=name, content_type=ctype, size=len(data),
                                  sha256=hashlib.sha256(data).hexdigest())
            item.file.save(name, ContentFile(data), save=False)
            item.save()
    return current


def cancel_task(task, *, reason, actor, expected_version=None) -> Task:
    """The command room withdraws an open task (→ 已取消), with the reason."""
    _require_assigner(task, actor)
    reason = _text(reason, "reason", max_length=500)
    with transaction.atomic():
        current = _begin(task, StepAction.CANCEL, actor=actor,
                         expected_version=expected_version, sources=OPEN_STATES)
        before, from_state = state_of(current), current.state
        current.state, current.cancel_reason = TaskState.CANCELLED, reason
        _save(current, StepAction.CANCEL, actor=actor, from_state=from_state, note=reason)
        record("tasks.cancel", actor=actor, obj=current, before=before,
               after=state_of(current), remark=reason)
        _notify(current, _("%(kind)s“%(title)s”已取消:%(r)s") % {
            "kind": current.get_kind_display(), "title": current.title, "r": reason})
    return current


def reassign_task(task, *, actor, assignee=None, nearest=False, note="",
                  expected_version=None) -> Task:
    """Give an open task to another grid worker (named, or the nearest on duty); it starts
    again as 已派发. The history keeps every assignee."""
    _require_assigner(task, actor)
    note = _text(note, "note", required=False, max_length=500)
    with transaction.atomic():
        current = _begin(task, StepAction.REASSIGN, actor=actor,
                         expected_version=expected_version, sources=OPEN_STATES)
        chosen, mode, distance = _choose(current.grid, current.point(), assignee=assignee,
                                         nearest=nearest)
        if chosen.pk == current.assignee_id:
            raise ValidationError({"assignee" if not nearest else "nearest": _(
                "任务已由该网格员执行,请选择其他人。")})
        before, from_state = state_of(current), current.state
        current.assignee, current.assign_mode, current.assign_distance_m = chosen, mode, distance
        current.assigned_by, current.assigned_at = _user(actor), timezone.now()
        current.state, current.accepted_at = TaskState.ASSIGNED, None
        _save(current, StepAction.REASSIGN, actor=actor, from_state=from_state, note=note,
              distance_m=distance)
        record("tasks.reassign", actor=actor, obj=current, before=before,
               after=state_of(current), remark=note)
        _notify(current, _assign_text(current))
    return current
