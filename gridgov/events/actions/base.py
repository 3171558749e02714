"""The frame every event action shares: load and check, move with the version check, trace.

``_transition`` is one workflow step in one transaction: ``_begin`` loads the event fresh and
checks permission, version, state, precondition and scope; ``_move`` applies the changes with
``UPDATE … WHERE id = ? AND version = ?``; ``_trace`` writes the audit record on the event's
own chain, the ``EventStep`` row indexing it (area code, the stage deadline in force before
the step and whether the step met it) and the attachments, and sends the signal on commit.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gridgov.audit.recorder import diff, record, snapshot
from gridgov.core.access import get_scope

from .. import catalog_cache
from ..choices import RequestStatus
from ..models import Event, EventRequest, EventStep, MinorCategory
from ..signals import event_transition
from ..workflow import TRANSITIONS, in_scope, precondition, role_allowed
from .files import attachment_summary, prepare_attachments, save_attachments

# What the audit record keeps of an event (the reporter's phone masked).
TRACKED = (
    "state", "source", "nature", "urgency", "category", "description", "lng", "lat",
    "address", "grid", "area_code", "level", "department", "assignee", "reporter_name",
    "camera_code", "external_id", "merged_into", "supervised", "resolved_on_spot",
    "stage_deadline", "handle_deadline", "deadline_note", "deadline_alert", "overdue_reason",
    "evaluation_score", "evaluation_comment", "hold_reason", "closed_at",
)
MAX_TEXT = 2000


class Conflict(Exception):
    """The event moved on: a stale ``expected_version`` or a state that does not allow it.

    ``event`` is the event as it stands now (the API answers 409 with its state and
    version).
    """

    def __init__(self, message="", *, event=None):
        super().__init__(message or _("事件状态已变化,请刷新后重试。"))
        self.event = event


def text(value, field, *, required=True, max_length=MAX_TEXT) -> str:
    """A stripped text input; ``ValidationError`` on ``field`` when missing or too long."""
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > max_length:
        raise ValidationError({field: _("不能超过 %(n)s 个字。") % {"n": max_length}})
    return value


def state_of(event) -> dict:
    """The audited snapshot of an event (the reporter's phone masked)."""
    out = snapshot(event, TRACKED)
    out["reporter_phone"] = event.reporter_phone_masked
    return out


def user_or_none(actor):
    """The actor as a ``User`` row for foreign keys (API clients and the system: None)."""
    from gridgov.accounts.models import User

    return actor if isinstance(actor, User) else None


def _send(event, action, actor, data) -> None:
    transaction.on_commit(lambda: event_transition.send(
        sender=Event, event=event, action=action, actor=actor, data=data))


def step_place(extra) -> dict:
    """The step row's position columns from the audit record's ``place*`` entries (what
    ``evidence.check`` returned): empty when the step carries no fix."""
    extra = extra or {}
    point = extra.get("place")
    if not point:
        return {}
    at = extra.get("place_at")
    return {"place_lng": point[0], "place_lat": point[1],
            "place_distance_m": extra.get("place_distance_m"),
            "place_accuracy_m": extra.get("place_accuracy_m"),
            "place_at": parse_datetime(at) if at else None}


def trace(event, action, *, actor, before, from_state, remark="", extra=None,
          prepared=(), department=None, data=None, new_chain=False, role="",
          stage_deadline=None):
    """Audit record on the event's chain + step row + attachments + signal on commit.

    ``new_chain``: the event was created in this transaction (its first record); ``role``:
    the audit record's role when it is not the actor's (the reporter via their link);
    ``stage_deadline``: the deadline of the stage this step ends (in force before it), kept
    on the step with whether the step came in time, for assessment."""
    changes = diff(before, state_of(event))
    for key, value in (extra or {}).items():
        changes[key] = [None, value]
    if prepared:
        changes["attachments"] = [None, attachment_summary(prepared)]
    rec = record(f"events.{action}", actor=actor, obj=event, changes=changes, remark=remark,
                 new_chain=new_chain, role=role)
    EventStep.objects.create(
        event=event, seq=rec.seq, action=action, from_state=from_state or "",
        to_state=event.state, actor=user_or_none(actor),
        department_id=department if department is not None else event.department_id,
        audit_record=rec, at=rec.at, area_code=event.area_code,
        stage_deadline=stage_deadline,
        deadline_met=None if stage_deadline is None else rec.at <= stage_deadline,
        **step_place(extra),
    )
    if prepared:
        save_attachments(event, prepared, rec.seq)
    _send(event, action, actor, data or {})
    return rec


def begin(event, action, actor, expected_version):
    """Load the event fresh and check permission, version, state, precondition and scope."""
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


def move(event, *, bump: bool = True, **changes) -> Event:
    """Apply ``changes`` with the optimistic version check; ``Conflict`` if it lost.

    ``bump=False`` keeps the version (still checking it): for marks that change nothing a
    person acts on, such as a deadline alert, so that someone about to file or dispatch with
    the version they read does not get a conflict because the scan passed by.
    """
    old_version = event.version
    new_version = old_version + 1 if bump else old_version
    now = timezone.now()
    changes["updated_at"] = now
    rows = Event.objects.filter(pk=event.pk, version=old_version).update(
        version=new_version, **changes)
    if rows != 1:
        raise Conflict(event=Event.objects.get(pk=event.pk))
    for name, value in changes.items():
        setattr(event, name, value)
    event.version = new_version
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


def transition(event, action, *, actor, expected_version, changes_fn, remark="",
               extra_fn=None, attachments=(), data_fn=None, audit_role="", evidence_fn=None):
    """The frame every transition shares (see the module docstring).

    ``audit_role`` only labels the audit record (``evaluate_by_reporter_link``: "reporter");
    it grants nothing: the permission and scope checks depend on ``actor`` alone.
    ``evidence_fn(current, prepared)`` checks the step's evidence against the event as it
    stands (its class's rule) after the checks of ``begin``; what it returns joins the audit
    record's extra fields."""
    prepared = prepare_attachments(attachments)
    with transaction.atomic():
        current = begin(event, action, actor, expected_version)
        before = state_of(current)
        from_state, stage_deadline = current.state, current.stage_deadline
        evidence = evidence_fn(current, prepared) if evidence_fn else {}
        changes = changes_fn(current)
        department_before = current.department_id
        move(current, **_fk(changes))
        for key, value in changes.items():
            if hasattr(value, "_meta"):
                setattr(current, key, value)
        extra = extra_fn(current) if extra_fn else None
        if evidence:
            extra = {**(extra or {}), **evidence}
        lapsed = _lapse_requests(current, from_state)
        if lapsed:
            extra = {**(extra or {}), "lapsed_requests": lapsed}
        data = data_fn(current) if data_fn else {}
        trace(current, action, actor=actor, before=before, from_state=from_state,
              remark=remark, extra=extra, prepared=prepared,
              department=current.department_id or department_before, data=data,
              role=audit_role, stage_deadline=stage_deadline)
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


def stage(deadline_and_note, *, handle=False) -> dict:
    """The changes that start a new stage with its deadline (and note)."""
    deadline, note = deadline_and_note
    out = {"stage_deadline": deadline, "stage_started_at": timezone.now(),
           "deadline_note": note[:200], "deadline_alert": ""}
    if handle:
        out["handle_deadline"] = deadline
    return out


def no_stage() -> dict:
    """The changes that end timing (a closed, voided, suspended or merged event)."""
    return {"stage_deadline": None, "stage_started_at": None, "deadline_alert": ""}


def category_of(value, field="category"):
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
