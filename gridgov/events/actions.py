"""Verbs of the event closed loop: every write to events goes through these functions.

Each transition of ``gridgov.events.workflow.TRANSITIONS`` is one function that

1. checks the actor's role (``PermissionDenied``), the event's state and, when given,
   ``expected_version`` (``Conflict``), then the actor's scope on the event;
2. validates its input (``ValidationError({field: reason})``);
3. in one transaction moves the event with ``UPDATE … WHERE id = ? AND version = ?`` (zero
   rows: somebody else acted first → ``Conflict``), writes one audit record on the event's
   own chain (``record(obj=event)``: the trace, covered by ``gridgov audit verify``) and one
   ``EventStep`` row indexing it;
4. sends ``signals.event_transition`` on commit (notifications listen to it).

``actor=None`` is the system (demo loader, periodic jobs, Open311 without a user). Personal
data never reaches the audit record unmasked.
"""

import hashlib
import mimetypes
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.actions import mask_phone
from gridgov.accounts.choices import Role
from gridgov.accounts.models import Department
from gridgov.core.access import get_scope
from gridgov.areas.index import lookup_grid
from gridgov.audit.recorder import diff, record, snapshot

from . import catalog_cache, deadlines, public_links
from .choices import (
    LEVEL_ORDER,
    AttachmentKind,
    EventLevel,
    Nature,
    RequestKind,
    RequestStatus,
    Source,
    State,
    Urgency,
)
from .models import (
    Event,
    EventAttachment,
    EventRequest,
    EventStep,
    MajorCategory,
    MinorCategory,
    Platform,
)
from .signals import event_transition
from .workflow import TRANSITIONS, in_scope, precondition, role_allowed

# What the audit record keeps of an event (the reporter's phone masked).
TRACKED = (
    "state", "source", "nature", "urgency", "category", "description", "lng", "lat",
    "address", "grid", "area_code", "level", "department", "assignee", "reporter_name",
    "camera_code", "external_id", "merged_into", "supervised", "resolved_on_spot",
    "stage_deadline", "handle_deadline", "deadline_note", "deadline_alert", "overdue_reason",
    "evaluation_score", "evaluation_comment", "hold_reason", "closed_at",
)
MAX_TEXT = 2000
DEFAULT_MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
KIND_PREFIX = {"image/": AttachmentKind.PHOTO, "audio/": AttachmentKind.AUDIO,
               "video/": AttachmentKind.VIDEO}


class Conflict(Exception):
    """The event moved on: a stale ``expected_version`` or a state that does not allow it.

    ``event`` is the event as it stands now (the API answers 409 with its state and
    version).
    """

    def __init__(self, message="", *, event=None):
        super().__init__(message or _("事件状态已变化,请刷新后重试。"))
        self.event = event


# --- helpers ---------------------------------------------------------------------------------


def _text(value, field, *, required=True, max_length=MAX_TEXT) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > max_length:
        raise ValidationError({field: _("不能超过 %(n)s 个字。") % {"n": max_length}})
    return value


def _state(event) -> dict:
    out = snapshot(event, TRACKED)
    out["reporter_phone"] = mask_phone(event.reporter_phone)
    return out


def _user_or_none(actor):
    """The actor as a ``User`` row for foreign keys (API clients and the system: None)."""
    from gridgov.accounts.models import User

    return actor if isinstance(actor, User) else None


def _prepare_attachments(attachments) -> list[dict]:
    """Read, hash and check attachments: ``File``/``UploadedFile`` objects or dicts with
    ``file`` and optional ``kind``, ``public``, ``name``, ``content_type``.

    Plain uploads (a department's completion photos, a grid worker's verification photos)
    go through ``attachments.prepare`` first, as intake's do: the type is read from the
    bytes, and a photo gets a public copy without its metadata, which is the one the
    resident's tracking page may show. Dicts come prepared already (intake)."""
    from . import attachments as attachment_files

    items = list(attachments or ())
    uploads = [item for item in items if not isinstance(item, dict)]
    specs = [dict(item) for item in items if isinstance(item, dict)]
    specs += [p.as_attachment() for p in attachment_files.prepare(uploads)]
    limit = getattr(settings, "GRIDGOV_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES)
    out = []
    for spec in specs:
        upload = spec["file"]
        name = spec.get("name") or getattr(upload, "name", "") or "attachment"
        name = str(name).rsplit("/", 1)[-1][:200]
        content_type = (spec.get("content_type") or getattr(upload, "content_type", None)
                        or mimetypes.guess_type(name)[0] or "application/octet-stream")
        kind = spec.get("kind") or next(
            (k for prefix, k in KIND_PREFIX.items() if content_type.startswith(prefix)), None)
        if kind not in AttachmentKind.values:
            raise ValidationError({"attachments": _("只能上传照片、录音或视频:%(name)s")
                                   % {"name": name}})
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read()
        if len(data) > limit:
            raise ValidationError({"attachments": _("文件过大:%(name)s") % {"name": name}})
        out.append({"name": name, "content_type": content_type, "kind": kind,
                    "public": bool(spec.get("public", False)), "data": data,
                    "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    return out


def _save_attachments(event, prepared, step) -> None:
    for item in prepared:
        attachment = EventAttachment(
            event=event, kind=item["kind"], name=item["name"], sha256=item["sha256"],
            content_type=item["content_type"], size=item["size"], public=item["public"],
            step=step,
        )
        attachment.file.save(item["name"], ContentFile(item["data"]), save=False)
        attachment.save()


def _attachment_summary(prepared) -> list[dict]:
    return [{"name": p["name"], "kind": p["kind"], "sha256": p["sha256"], "size": p["size"]}
            for p in prepared]


def _send(event, action, actor, data) -> None:
    transaction.on_commit(lambda: event_transition.send(
        sender=Event, event=event, action=action, actor=actor, data=data))


def _trace(event, action, *, actor, before, from_state, remark="", extra=None,
           prepared=(), department=None, data=None, new_chain=False, role=""):
    """Audit record on the event's chain + step row + attachments + signal on commit.

    ``new_chain``: the event was created in this transaction (its first record); ``role``:
    the audit record's role when it is not the actor's (the reporter via their link)."""
    changes = diff(before, _state(event))
    for key, value in (extra or {}).items():
        changes[key] = [None, value]
    if prepared:
        changes["attachments"] = [None, _attachment_summary(prepared)]
    rec = record(f"events.{action}", actor=actor, obj=event, changes=changes, remark=remark,
                 new_chain=new_chain, role=role)
    EventStep.objects.create(
        event=event, seq=rec.seq, action=action, from_state=from_state or "",
        to_state=event.state, actor=_user_or_none(actor),
        department_id=department if department is not None else event.department_id,
        audit_record=rec, at=rec.at,
    )
    if prepared:
        _save_attachments(event, prepared, rec.seq)
    _send(event, action, actor, data or {})
    return rec


def _begin(event, action, actor, expected_version):
    """Load the event fresh and check role, version, state, precondition and scope."""
    transition = TRANSITIONS[action]
    scope = get_scope(actor) if actor is not None else None
    if actor is not None and not role_allowed(transition, scope):
        raise PermissionDenied(_("您的角色不能执行“%(a)s”。") % {"a": transition.label})
    current = Event.objects.select_related("category", "department").get(pk=event.pk)
    if expected_version is not None and int(expected_version) != current.version:
        raise Conflict(event=current)
    if current.state not in transition.sources:
        raise Conflict(_("事件当前状态为“%(s)s”,不能执行“%(a)s”。") % {
            "s": current.get_state_display(), "a": transition.label}, event=current)
    if actor is not None and not in_scope(transition, current, scope):
        raise PermissionDenied(_("该事件不在您的处置范围内。"))
    if not precondition(action, current):
        raise Conflict(_("当前不能执行“%(a)s”。") % {"a": transition.label}, event=current)
    return current


def _move(event, **changes) -> Event:
    """Apply ``changes`` with the optimistic version check; ``Conflict`` if it lost."""
    old_version = event.version
    now = timezone.now()
    changes["updated_at"] = now
    rows = Event.objects.filter(pk=event.pk, version=old_version).update(
        version=old_version + 1, **changes)
    if rows != 1:
        raise Conflict(event=Event.objects.get(pk=event.pk))
    for name, value in changes.items():
        setattr(event, name, value)
    event.version = old_version + 1
    return event


def _fk(changes: dict) -> dict:
    """Turn model instances into ``<name>_id`` for ``QuerySet.update``."""
    out = {}
    for key, value in changes.items():
        if hasattr(value, "_meta"):
            out[f"{key}_id"] = value.pk
        else:
            out[key] = value
    return out


def _transition(event, action, *, actor, expected_version, changes_fn, remark="",
                extra_fn=None, attachments=(), data_fn=None, audit_role=""):
    """The frame every transition shares (see the module docstring).

    ``audit_role`` only labels the audit record (``evaluate_by_reporter_link``: "reporter");
    it grants nothing: the role and scope checks depend on ``actor`` alone."""
    prepared = _prepare_attachments(attachments)
    with transaction.atomic():
        current = _begin(event, action, actor, expected_version)
        before = _state(current)
        from_state = current.state
        changes = changes_fn(current)
        department_before = current.department_id
        _move(current, **_fk(changes))
        for key, value in changes.items():
            if hasattr(value, "_meta"):
                setattr(current, key, value)
        extra = extra_fn(current) if extra_fn else None
        lapsed = _lapse_requests(current, from_state)
        if lapsed:
            extra = {**(extra or {}), "lapsed_requests": lapsed}
        data = data_fn(current) if data_fn else {}
        _trace(current, action, actor=actor, before=before, from_state=from_state,
               remark=remark, extra=extra, prepared=prepared,
               department=current.department_id or department_before, data=data,
               role=audit_role)
    return current


def _lapse_requests(event, from_state) -> list[str]:
    """Close the pending requests a transition has made moot, in its own transaction.

    An extension or suspension request can be decided only while the case is being handled;
    once it leaves that stage undecided (completed, returned, suspended on the other request)
    the request lapses, so no approver is asked to decide what can no longer be decided, and
    a new request is possible after rework. The kinds that lapsed go into the step's audit
    record. No query unless the case just left the handling stage.
    """
    sources = TRANSITIONS["decide_extension"].sources | TRANSITIONS["decide_suspension"].sources
    if event.state == from_state or from_state not in sources or event.state in sources:
        return []
    pending = EventRequest.objects.filter(event=event, status=RequestStatus.PENDING)
    kinds = sorted(pending.values_list("kind", flat=True))
    if kinds:
        pending.update(status=RequestStatus.LAPSED, decided_at=timezone.now(),
                       decision_remark=_("事件已离开处置环节,申请自动失效。"))
    return kinds


def _stage(deadline_and_note, *, handle=False) -> dict:
    deadline, note = deadline_and_note
    out = {"stage_deadline": deadline, "stage_started_at": timezone.now(),
           "deadline_note": note[:200], "deadline_alert": ""}
    if handle:
        out["handle_deadline"] = deadline
    return out


def _no_stage() -> dict:
    return {"stage_deadline": None, "stage_started_at": None, "deadline_alert": ""}


def _category(value, field="category"):
    """A minor class given as an instance, its code (a string) or its id (an int)."""
    if value is None or value == "":
        return None
    if isinstance(value, MinorCategory):
        category = value
    elif isinstance(value, int):
        category = MinorCategory.objects.filter(pk=value).first()
    else:
        category = catalog_cache.minor_by_code(str(value))
    if category is None or not category.is_active:
        raise ValidationError({field: _("事件小类不存在或已停用。")})
    return category


# --- intake ----------------------------------------------------------------------------------


def _next_number(event_id, when) -> str:
    return f"E{timezone.localtime(when):%Y%m%d}{event_id:08d}"


def _reserve_event_id() -> int | None:
    """The next event id from PostgreSQL's sequence (None elsewhere: SQLite has none).

    Ids drawn this way and by a plain INSERT come from the same sequence, so they never
    collide; a rolled-back report leaves a gap, as a failed INSERT does."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))",
                       [Event._meta.db_table])
        return cursor.fetchone()[0]


def report_event(*, source, description, lng, lat, crs="wgs84", actor=None, category=None,
                 nature="request", urgency="normal", address="", reporter_name="",
                 reporter_phone="", camera_code="", external_id="", idempotency_key=None,
                 attachments=(), hold_reason="") -> Event:
    """Take in a report from any channel: the event starts ``reported`` (or ``held``).

    The grid comes from the point (``areas.index.lookup_grid``; outside the district:
    ``ValidationError`` on ``location``). The same ``idempotency_key`` returns the event it
    created the first time. A non-empty ``hold_reason`` (harmful-content filter) holds the
    report for review instead.
    """
    if idempotency_key:
        idempotency_key = str(idempotency_key)[:100]
        existing = Event.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if source not in Source.values:
        raise ValidationError({"source": _("未知的来源。")})
    if nature not in Nature.values:
        raise ValidationError({"nature": _("未知的诉求性质。")})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("未知的紧急程度。")})
    description = _text(description, "description")
    try:
        lng_f, lat_f = float(lng), float(lat)
    except (TypeError, ValueError):
        raise ValidationError({"location": _("经纬度格式不正确。")}) from None
    try:
        grid = lookup_grid(lng_f, lat_f, crs)  # OutsideJurisdiction: error on "location"
    except ValueError:
        raise ValidationError({"crs": _("未知的坐标系。")}) from None
    from gridgov.areas.datum import to_wgs84

    wlng, wlat = to_wgs84(lng_f, lat_f, crs)
    category = _category(category)
    prepared = _prepare_attachments(attachments)
    user = _user_or_none(actor)
    now = timezone.now()
    event = Event(
        number=uuid.uuid4().hex[:20], source=source, nature=nature, urgency=urgency,
        state=State.HELD if hold_reason else State.REPORTED, category=category,
        description=description, lng=wlng, lat=wlat, address=_text(
            address, "address", required=False, max_length=200),
        grid=grid, area_code=grid.code, reporter_user=user,
        reporter_name=_text(reporter_name, "reporter_name", required=False, max_length=50),
        reporter_phone=_text(reporter_phone, "reporter_phone", required=False, max_length=20),
        camera_code=_text(camera_code, "camera_code", required=False, max_length=20),
        external_id=_text(external_id, "external_id", required=False, max_length=64),
        idempotency_key=idempotency_key or None, hold_reason=hold_reason or "",
        created_at=now, updated_at=now,
    )
    if not hold_reason:
        event.stage_deadline, event.deadline_note = deadlines.dispatch_deadline(event, now)
        event.stage_started_at = now
    try:
        # A savepoint only where an IntegrityError is answered (a concurrent same-key report);
        # any other failure rolls back the caller's whole transaction anyway.
        with transaction.atomic(savepoint=bool(idempotency_key)):
            # The number embeds the id: on PostgreSQL the id is drawn from its sequence
            # first, so one INSERT writes both; elsewhere the number follows the INSERT.
            event.pk = _reserve_event_id()
            if event.pk is not None:
                event.number = _next_number(event.pk, now)
                event.save(force_insert=True)
            else:
                event.save(force_insert=True)
                event.number = _next_number(event.pk, now)
                Event.objects.filter(pk=event.pk).update(number=event.number)
            _trace(event, "report", actor=actor, before=None, from_state="",
                   prepared=prepared, data={"hold_reason": hold_reason or ""},
                   new_chain=True)
    except IntegrityError:
        if idempotency_key:
            existing = Event.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise
    return event


def release_held(event, *, approve, actor, remark="", expected_version=None) -> Event:
    """Decide a held report: approve → ``reported`` (on into the loop), reject → ``void``."""
    approve = bool(approve)
    if not approve:
        remark = _text(remark, "remark")

    def changes(ev):
        if approve:
            return {"state": State.REPORTED, **_stage(deadlines.dispatch_deadline(ev))}
        return {"state": State.VOID, **_no_stage(), "closed_at": timezone.now()}

    return _transition(event, "release_held", actor=actor, expected_version=expected_version,
                       changes_fn=changes, remark=remark, extra_fn=lambda ev: {
                           "approve": approve}, data_fn=lambda ev: {"approve": approve})


# --- command room ----------------------------------------------------------------------------


def register_event(event, *, actor, remark="", category=None, urgency=None, nature=None,
                   expected_version=None) -> Event:
    """The intake clerk accepts the report (受理), optionally setting its class and urgency."""
    category = _category(category)
    if urgency is not None and urgency not in Urgency.values:
        raise ValidationError({"urgency": _("未知的紧急程度。")})
    if nature is not None and nature not in Nature.values:
        raise ValidationError({"nature": _("未知的诉求性质。")})

    def changes(ev):
        out = {"state": State.REGISTERED}
        if category is not None:
            out["category"] = category
        if urgency is not None:
            out["urgency"] = urgency
        if nature is not None:
            out["nature"] = nature
        return out

    return _transition(event, "register", actor=actor, expected_version=expected_version,
                       changes_fn=changes, remark=_text(remark, "remark", required=False))


def file_event(event, *, actor, remark="", category=None, expected_version=None) -> Event:
    """The shift leader files the case (立案); it needs a minor class."""
    category = _category(category)

    def changes(ev):
        if category is None and ev.category_id is None:
            raise ValidationError({"category": _("立案前请选择事件小类。")})
        out = {"state": State.FILED}
        if category is not None:
            out["category"] = category
        return out

    return _transition(event, "file", actor=actor, expected_version=expected_version,
                       changes_fn=changes, remark=_text(remark, "remark", required=False))


def not_file_event(event, *, reason, actor, expected_version=None) -> Event:
    """The shift leader declines to file (不予立案), with the reason."""
    reason = _text(reason, "reason")
    return _transition(
        event, "not_file", actor=actor, expected_version=expected_version, remark=reason,
        changes_fn=lambda ev: {"state": State.NOT_FILED, **_no_stage(),
                               "closed_at": timezone.now()},
        data_fn=lambda ev: {"reason": reason})


def void_event(event, *, reason, actor, expected_version=None) -> Event:
    """The shift leader voids a report (作废: a test, a prank, a mistake), with the reason."""
    reason = _text(reason, "reason")
    return _transition(
        event, "void", actor=actor, expected_version=expected_version, remark=reason,
        changes_fn=lambda ev: {"state": State.VOID, **_no_stage(), "closed_at": timezone.now()},
        data_fn=lambda ev: {"reason": reason})


def dispatch_event(event, department=None, *, grid=None, actor, remark="",
                   expected_version=None) -> Event:
    """The dispatcher sends the case to a department (default: the class's default
    department) or, with ``grid``, to the event's grid (the locality handles it, 属地管理)."""
    if department is not None and not isinstance(department, Department):
        department = Department.objects.filter(pk=department).first() if str(
            department).isdigit() else Department.objects.filter(code=department).first()
        if department is None:
            raise ValidationError({"department": _("部门不存在。")})
    if department is not None and not department.is_active:
        raise ValidationError({"department": _("该部门已停用。")})
    to_grid = bool(grid) and department is None

    def changes(ev):
        target = department
        if not to_grid and target is None:
            target = ev.category.default_department if ev.category else None
            if target is None:
                raise ValidationError({"department": _(
                    "该事件小类没有默认责任部门,请选择部门或派往网格。")})
        if to_grid and grid is not True and getattr(grid, "pk", grid) != ev.grid_id:
            raise ValidationError({"grid": _("只能派往事件所在网格。")})
        out = {"state": State.DISPATCHED, "department": target, "assignee": None,
               **_stage(deadlines.handle_deadline(ev), handle=True)}
        if to_grid:
            out["department_id"] = None
            del out["department"]
        return out

    return _transition(
        event, "dispatch", actor=actor, expected_version=expected_version,
        changes_fn=changes, remark=_text(remark, "remark", required=False),
        extra_fn=lambda ev: {"to_grid": to_grid},
        data_fn=lambda ev: {"department_id": ev.department_id, "to_grid": to_grid})


def escalate_event(event, *, reason, actor, expected_version=None) -> Event:
    """Move the event up one level (社区 → 街道 → 区) for coordination, with the reason."""
    reason = _text(reason, "reason")

    def changes(ev):
        index = LEVEL_ORDER.index(EventLevel(ev.level))
        return {"level": LEVEL_ORDER[index + 1]}

    return _transition(event, "escalate", actor=actor, expected_version=expected_version,
                       changes_fn=changes, remark=reason,
                       data_fn=lambda ev: {"level": ev.level, "reason": reason})


def supervise_event(event, *, remark, actor, expected_version=None) -> Event:
    """A leader marks the event as supervised (督办), with instructions."""
    remark = _text(remark, "remark")
    return _transition(event, "supervise", actor=actor, expected_version=expected_version,
                       changes_fn=lambda ev: {"supervised": True}, remark=remark,
                       data_fn=lambda ev: {"remark": remark})


def resume_event(event, *, actor, remark="", expected_version=None) -> Event:
    """The shift leader takes a suspended (挂账) event back for dispatch."""
    return _transition(
        event, "resume", actor=actor, expected_version=expected_version,
        changes_fn=lambda ev: {"state": State.FILED, "assignee": None,
                               **_stage(deadlines.dispatch_deadline(ev))},
        remark=_text(remark, "remark", required=False))


# --- handling --------------------------------------------------------------------------------


def claim_event(event, *, actor, remark="", expected_version=None) -> Event:
    """The handler signs for the dispatched event (签收) and becomes its assignee."""
    return _transition(
        event, "claim", actor=actor, expected_version=expected_version,
        changes_fn=lambda ev: {"state": State.IN_PROGRESS, "assignee": _user_or_none(actor)},
        remark=_text(remark, "remark", required=False))


def return_event(event, *, reason, actor, expected_version=None) -> Event:
    """A department that is not responsible sends the case back to the dispatcher (回退)."""
    reason = _text(reason, "reason")

    def changes(ev):
        return {"state": State.FILED, "department_id": None, "assignee": None,
                "handle_deadline": None, **_stage(deadlines.dispatch_deadline(ev))}

    return _transition(event, "return", actor=actor, expected_version=expected_version,
                       changes_fn=changes, remark=reason,
                       data_fn=lambda ev: {"reason": reason})


def _request(event, action, kind, *, actor, reason, days, expected_version):
    def changes(ev):
        EventRequest.objects.create(
            event=ev, kind=kind, days=days, reason=reason, requested_by=_user_or_none(actor),
            from_state=ev.state)
        return {}

    return _transition(event, action, actor=actor, expected_version=expected_version,
                       changes_fn=changes, remark=reason,
                       extra_fn=lambda ev: {"request": {"kind": kind, "days": days}},
                       data_fn=lambda ev: {"kind": kind, "days": days, "reason": reason})


def request_extension(event, *, days, reason, actor, expected_version=None) -> Event:
    """The handler asks for more working days (延期), with the reason."""
    reason = _text(reason, "reason")
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationError({"days": _("请填写延期的工作日数。")}) from None
    if not 1 <= days <= 30:
        raise ValidationError({"days": _("延期天数应为 1–30 个工作日。")})
    return _request(event, "request_extension", RequestKind.EXTENSION, actor=actor,
                    reason=reason, days=days, expected_version=expected_version)


def request_suspension(event, *, reason, actor, expected_version=None) -> Event:
    """The handler asks to suspend the case (挂账: cannot be solved for now), with the reason."""
    reason = _text(reason, "reason")
    return _request(event, "request_suspension", RequestKind.SUSPENSION, actor=actor,
                    reason=reason, days=None, expected_version=expected_version)


def _decide(event, action, kind, *, approve, actor, remark, expected_version, apply):
    approve = bool(approve)
    if not approve:
        remark = _text(remark, "remark")

    def changes(ev):
        request = EventRequest.objects.select_for_update().get(
            event=ev, kind=kind, status=RequestStatus.PENDING)
        request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
        request.decided_by = _user_or_none(actor)
        request.decided_at = timezone.now()
        request.decision_remark = remark or ""
        request.save()
        ev._decided_request = request
        return apply(ev, request) if approve else {}

    return _transition(event, action, actor=actor, expected_version=expected_version,
                       changes_fn=changes, remark=remark or "",
                       extra_fn=lambda ev: {"request": {
                           "kind": kind, "approve": approve,
                           "days": ev._decided_request.days}},
                       data_fn=lambda ev: {"kind": kind, "approve": approve})


def decide_extension(event, *, approve, actor, remark="", expected_version=None) -> Event:
    """The shift leader grants or refuses the pending extension request."""
    def apply(ev, request):
        base = ev.handle_deadline or timezone.now()
        deadline, note = deadlines.extend(base, request.days)
        return {"handle_deadline": deadline, "stage_deadline": deadline,
                "deadline_note": note[:200], "deadline_alert": ""}

    return _decide(event, "decide_extension", RequestKind.EXTENSION, approve=approve,
                   actor=actor, remark=remark, expected_version=expected_version, apply=apply)


def decide_suspension(event, *, approve, actor, remark="", expected_version=None) -> Event:
    """The shift leader suspends the case (挂账, to the problem pool) or refuses."""
    def apply(ev, request):
        return {"state": State.SUSPENDED, **_no_stage()}

    return _decide(event, "decide_suspension", RequestKind.SUSPENSION, approve=approve,
                   actor=actor, remark=remark, expected_version=expected_version, apply=apply)


def complete_event(event, *, remark, actor, attachments=(), overdue_reason="",
                   expected_version=None) -> Event:
    """The handler reports the work done, with photos; now it waits for verification.

    Past the handling deadline a written explanation (``overdue_reason``) is required.
    """
    remark = _text(remark, "remark")
    overdue_reason = _text(overdue_reason, "overdue_reason", required=False)

    def changes(ev):
        if ev.handle_deadline and timezone.now() > ev.handle_deadline and not overdue_reason:
            raise ValidationError({"overdue_reason": _("事件已超期,请填写超期说明。")})
        return {"state": State.COMPLETED, "overdue_reason": overdue_reason,
                **_stage(deadlines.verify_deadline(ev))}

    return _transition(event, "complete", actor=actor, expected_version=expected_version,
                       changes_fn=changes, remark=remark, attachments=attachments)


def resolve_on_spot(event, *, remark, actor, attachments=(), expected_version=None) -> Event:
    """The grid worker fixed it on the spot (自行处置); it still waits for verification by the
    grid's worker or chief, and is counted as resolved on the spot."""
    remark = _text(remark, "remark")
    return _transition(
        event, "resolve_on_spot", actor=actor, expected_version=expected_version,
        changes_fn=lambda ev: {"state": State.COMPLETED, "resolved_on_spot": True,
                               "assignee": _user_or_none(actor),
                               **_stage(deadlines.verify_deadline(ev))},
        remark=remark, attachments=attachments)


def verify_event(event, *, passed, actor, remark="", attachments=(),
                 expected_version=None) -> Event:
    """On-site verification by the grid: passed → closed (结案), failed → rework (返工)."""
    passed = bool(passed)
    if not passed:
        remark = _text(remark, "remark")

    def changes(ev):
        if passed:
            return {"state": State.CLOSED, **_no_stage(), "closed_at": timezone.now()}
        return {"state": State.IN_PROGRESS, **_stage(deadlines.handle_deadline(ev), handle=True)}

    return _transition(event, "verify", actor=actor, expected_version=expected_version,
                       changes_fn=changes, remark=remark or "", attachments=attachments,
                       extra_fn=lambda ev: {"passed": passed},
                       data_fn=lambda ev: {"passed": passed})


def _score(score) -> int:
    try:
        score = int(score)
    except (TypeError, ValueError):
        raise ValidationError({"score": _("评分应为 1–5。")}) from None
    if not 1 <= score <= 5:
        raise ValidationError({"score": _("评分应为 1–5。")})
    return score


def evaluate_event(event, *, score, actor, comment="", expected_version=None) -> Event:
    """The reporter (or the clerk on their behalf) rates a closed case from 1 to 5."""
    score = _score(score)
    comment = _text(comment, "comment", required=False)
    return _transition(event, "evaluate", actor=actor, expected_version=expected_version,
                       changes_fn=lambda ev: {"evaluation_score": score,
                                              "evaluation_comment": comment},
                       remark=comment)


LINK_COMMENT_MAX = 500
# The audit record's role for what a resident does through their tracking link.
REPORTER_LINK_ROLE = "reporter"


def evaluate_by_reporter_link(event, *, token, score, comment="") -> Event:
    """The resident rates their closed case through the private tracking link (no account).

    The link's secret is the credential: it must match the event's stored hash (constant-time
    comparison, ``PermissionDenied`` otherwise). The comment is screened like the report
    itself; a hit refuses the evaluation (``ValidationError`` on ``comment`` naming the
    terms) and nothing is saved: unlike a report, a rating has no reviewer to hold it for.
    Then the same ``evaluate`` transition as ``evaluate_event``: one transaction, the audit
    record on the event's chain with role "reporter" and a remark saying it came through the
    link, and the step row. The actor is ``None`` because no account acts; the staff role
    checks are untouched, and a signed-in visitor gains nothing, as only the secret counts.
    Not closed or already rated: ``Conflict`` with the reason.
    """
    from gridgov.moderation.actions import screen

    if not public_links.matches(event, token):
        raise PermissionDenied(_("跟踪链接无效。"))
    current = Event.objects.get(pk=event.pk)
    if current.state == State.MERGED:
        raise Conflict(_("您的反映已与相同问题合并办理,不能单独评价。"), event=current)
    if current.state != State.CLOSED:
        raise Conflict(_("事件尚未办结,办结后才能评价。"), event=current)
    if current.evaluation_score is not None:
        raise Conflict(_("该事件已评价过,不能重复评价。"), event=current)
    score = _score(score)
    comment = _text(comment, "comment", required=False, max_length=LINK_COMMENT_MAX)
    screening = screen(comment=comment)
    if screening.held:
        raise ValidationError({"comment": _(
            "评价意见含有不文明或不当用语(%(terms)s),请修改后再提交。") % {
            "terms": "、".join(screening.terms)}})
    via = _("上报人通过跟踪链接评价")
    return _transition(
        current, "evaluate", actor=None, expected_version=current.version,
        changes_fn=lambda ev: {"evaluation_score": score, "evaluation_comment": comment},
        remark=f"{via}:{comment}" if comment else str(via),
        extra_fn=lambda ev: {"via": "reporter_link"}, audit_role=REPORTER_LINK_ROLE)


# --- merging ---------------------------------------------------------------------------------


def merge_events(primary, duplicates, *, actor, remark="") -> Event:
    """Merge duplicate reports into ``primary``: each becomes ``merged`` and points at it.

    A merged event counts once (statistics skip ``merged``); its reporter keeps following
    the primary's progress (notifications look at ``primary.duplicates``).
    """
    duplicates = [d for d in duplicates if d.pk != primary.pk]
    if not duplicates:
        raise ValidationError({"duplicates": _("请选择要合并的重复事件。")})
    scope = get_scope(actor) if actor is not None else None
    with transaction.atomic():
        primary = Event.objects.get(pk=primary.pk)
        if primary.state in (State.MERGED, State.VOID, State.NOT_FILED):
            raise ValidationError({"primary": _("主事件状态不能接收合并。")})
        if actor is not None and not Event.objects.restrict(actor).filter(
                pk=primary.pk).exists():
            raise PermissionDenied(_("该事件不在您的处置范围内。"))
        for duplicate in duplicates:
            if scope is not None and duplicate.area_code[:9] != primary.area_code[:9]:
                raise ValidationError({"duplicates": _("只能合并同一街道的事件。")})
            _transition(
                duplicate, "merge", actor=actor, expected_version=None,
                changes_fn=lambda ev: {"state": State.MERGED, "merged_into": primary,
                                       **_no_stage()},
                remark=remark, extra_fn=lambda ev: {"primary": primary.number},
                data_fn=lambda ev: {"primary_id": primary.pk})
        record("events.merge_into", actor=actor, obj=primary, changes={
            "duplicates": [None, [d.number for d in duplicates]]}, remark=remark)
    return primary


# --- deadline alerts (periodic scan) --------------------------------------------------------


def mark_deadline(event, *, kind, actor=None, now=None) -> Event | None:
    """Record a deadline alert (``due_soon`` or ``overdue``) once per stage.

    Written by ``tasks.scan_deadlines`` as the system: an audit record on the event's chain
    and the ``event_transition`` signal (notifications listen). An overdue event handled by
    the grid (community level) is escalated to the street. Returns ``None`` when there was
    nothing to mark (already marked, or the event moved on).
    """
    if kind not in ("due_soon", "overdue"):
        raise ValueError(kind)
    with transaction.atomic():
        current = Event.objects.select_related("category").get(pk=event.pk)
        if current.deadline_alert == kind or current.deadline_alert == "overdue":
            return None
        status = current.deadline_status(now)
        if status != kind:
            return None
        before = _state(current)
        changes = {"deadline_alert": kind}
        escalate = (kind == "overdue" and current.level == EventLevel.COMMUNITY
                    and current.department_id is None
                    and current.state in (State.DISPATCHED, State.IN_PROGRESS))
        if escalate:
            changes["level"] = EventLevel.STREET
        try:
            _move(current, **changes)
        except Conflict:
            return None
        _trace(current, kind, actor=actor, before=before, from_state=current.state,
               remark=_("超期") if kind == "overdue" else _("即将到期"),
               data={"escalated": escalate, "stage_deadline": current.stage_deadline})
    return current


# --- catalog (system administrator) ----------------------------------------------------------

CATEGORY_FIELDS = (
    "code", "name", "major", "default_department", "default_urgency",
    "dispatch_minutes_urgent", "dispatch_minutes_normal", "handle_amount", "handle_unit",
    "verify_hours_urban", "verify_hours_rural", "filing_condition", "closing_condition",
    "duplicate_radius_m", "duplicate_window_hours", "is_active",
)


def _require_catalog_admin(actor):
    if actor is None:
        return
    scope = get_scope(actor)
    if scope is None or not scope.has_role(Role.SYS_ADMIN):
        raise PermissionDenied(_("只有系统管理员可以维护事件分类。"))


def _check_category(category: MinorCategory) -> None:
    from .choices import TimeUnit

    if not category.code or not category.code.isalnum():
        raise ValidationError({"code": _("编码只能由字母和数字组成。")})
    if not category.name.strip():
        raise ValidationError({"name": _("请填写名称。")})
    if category.handle_unit not in TimeUnit.values:
        raise ValidationError({"handle_unit": _("未知的时限单位。")})
    if category.handle_amount < 1:
        raise ValidationError({"handle_amount": _("处置时限至少为 1。")})
    if category.dispatch_minutes_urgent > category.dispatch_minutes_normal:
        raise ValidationError({"dispatch_minutes_urgent": _("紧急时限不能长于一般时限。")})
    if category.verify_hours_urban < 1 or category.verify_hours_rural < 1:
        raise ValidationError({"verify_hours_urban": _("核查时限至少为 1 小时。")})


def create_category(*, actor, **fields) -> MinorCategory:
    """Add a minor class to the catalog (system administrator)."""
    _require_catalog_admin(actor)
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("未知字段。")})
    with transaction.atomic():
        if MinorCategory.objects.filter(code=fields.get("code")).exists():
            raise ValidationError({"code": _("编码已存在。")})
        category = MinorCategory(**fields)
        _check_category(category)
        category.save()
        record("events.category_create", actor=actor, obj=category,
               after=snapshot(category, CATEGORY_FIELDS))
    return category


def update_category(category, *, actor, **changes) -> MinorCategory:
    """Change a minor class: its limits, department, conditions or whether it is in use."""
    _require_catalog_admin(actor)
    unknown = set(changes) - set(CATEGORY_FIELDS) - {"code"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("未知字段。")})
    with transaction.atomic():
        category = MinorCategory.objects.select_for_update().get(pk=category.pk)
        before = snapshot(category, CATEGORY_FIELDS)
        for key, value in changes.items():
            setattr(category, key, value)
        _check_category(category)
        after = snapshot(category, CATEGORY_FIELDS)
        if before != after:
            category.save()
            record("events.category_update", actor=actor, obj=category, before=before,
                   after=after)
    return category


def save_major(*, actor, code, name, platform, kind="urban", is_active=True) -> MajorCategory:
    """Create or change a major class (system administrator)."""
    _require_catalog_admin(actor)
    fields = ("code", "name", "platform", "kind", "is_active")
    with transaction.atomic():
        major = MajorCategory.objects.select_for_update().filter(code=code).first()
        before = snapshot(major, fields) if major else None
        major = major or MajorCategory(code=code)
        major.name, major.platform, major.kind, major.is_active = name, platform, kind, is_active
        if not str(name).strip():
            raise ValidationError({"name": _("请填写名称。")})
        major.save()
        after = snapshot(major, fields)
        if before != after:
            record("events.major_save", actor=actor, obj=major, before=before, after=after)
    return major


def save_platform(*, actor, code, name, description="", is_active=True) -> Platform:
    """Create or change one of the governance platforms (system administrator)."""
    _require_catalog_admin(actor)
    fields = ("code", "name", "description", "is_active")
    with transaction.atomic():
        platform = Platform.objects.select_for_update().filter(code=code).first()
        before = snapshot(platform, fields) if platform else None
        platform = platform or Platform(code=code)
        platform.name, platform.description, platform.is_active = name, description, is_active
        if not str(name).strip():
            raise ValidationError({"name": _("请填写名称。")})
        platform.save()
        after = snapshot(platform, fields)
        if before != after:
            record("events.platform_save", actor=actor, obj=platform, before=before,
                   after=after)
    return platform


def link_default_departments(*, actor=None) -> int:
    """Link seeded minor classes without a default department to the seed's department
    code, where that department now exists (the demo loader runs it after creating the
    departments). Returns how many classes were linked."""
    from .catalog_data import department_codes

    _require_catalog_admin(actor)
    departments = {d.code: d for d in Department.objects.all()}
    linked = 0
    for code, dept_code in department_codes().items():
        department = departments.get(dept_code)
        if department is None:
            continue
        category = MinorCategory.objects.filter(code=code, default_department__isnull=True)\
            .first()
        if category is not None:
            update_category(category, actor=actor, default_department=department)
            linked += 1
    return linked


# --- one entry point for pages and the API ---------------------------------------------------


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "pass", "approve")
    return bool(value)


def perform(action, event, *, actor, data, attachments=(), expected_version=None) -> Event:
    """Run the workflow action named ``action`` with the person's input ``data`` (a mapping
    of strings, as from a form or a JSON body). Used by the detail page and the API so both
    read input the same way; the action functions above stay the authority on the rules."""
    get = data.get
    v = expected_version
    text = {key: get(key) or "" for key in ("remark", "reason", "comment", "overdue_reason")}
    if action == "register":
        return register_event(event, actor=actor, remark=text["remark"],
                              category=get("category") or None,
                              urgency=get("urgency") or None, expected_version=v)
    if action == "file":
        return file_event(event, actor=actor, remark=text["remark"],
                          category=get("category") or None, expected_version=v)
    if action == "not_file":
        return not_file_event(event, reason=text["reason"], actor=actor, expected_version=v)
    if action == "void":
        return void_event(event, reason=text["reason"], actor=actor, expected_version=v)
    if action == "dispatch":
        return dispatch_event(event, get("department") or None,
                              grid=_bool(get("to_grid", False)), actor=actor,
                              remark=text["remark"], expected_version=v)
    if action == "claim":
        return claim_event(event, actor=actor, remark=text["remark"], expected_version=v)
    if action == "return":
        return return_event(event, reason=text["reason"], actor=actor, expected_version=v)
    if action == "request_extension":
        return request_extension(event, days=get("days"), reason=text["reason"], actor=actor,
                                 expected_version=v)
    if action == "decide_extension":
        return decide_extension(event, approve=_bool(get("approve")), actor=actor,
                                remark=text["remark"], expected_version=v)
    if action == "request_suspension":
        return request_suspension(event, reason=text["reason"], actor=actor,
                                  expected_version=v)
    if action == "decide_suspension":
        return decide_suspension(event, approve=_bool(get("approve")), actor=actor,
                                 remark=text["remark"], expected_version=v)
    if action == "resume":
        return resume_event(event, actor=actor, remark=text["remark"], expected_version=v)
    if action == "complete":
        return complete_event(event, remark=text["remark"], actor=actor,
                              attachments=attachments,
                              overdue_reason=text["overdue_reason"], expected_version=v)
    if action == "verify":
        return verify_event(event, passed=_bool(get("passed")), actor=actor,
                            remark=text["remark"], attachments=attachments,
                            expected_version=v)
    if action == "resolve_on_spot":
        return resolve_on_spot(event, remark=text["remark"], actor=actor,
                               attachments=attachments, expected_version=v)
    if action == "escalate":
        return escalate_event(event, reason=text["reason"], actor=actor, expected_version=v)
    if action == "supervise":
        return supervise_event(event, remark=text["remark"], actor=actor, expected_version=v)
    if action == "evaluate":
        return evaluate_event(event, score=get("score"), comment=text["comment"], actor=actor,
                              expected_version=v)
    if action == "release_held":
        return release_held(event, approve=_bool(get("approve")), actor=actor,
                            remark=text["remark"], expected_version=v)
    raise ValidationError({"action": _("未知的操作。")})


# Actions a person can run through ``perform`` (merging has its own page and endpoint).
PERFORMABLE = tuple(a for a in TRANSITIONS if a != "merge")
