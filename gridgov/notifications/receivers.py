"""Listeners on ``gridgov.events.signals.event_transition`` (sent after the commit).

Who is told of what (REFERENCE §5; issue 3 item 8):

- dispatch: the department's handlers (or the assignee, or the grid's workers when sent to
  the grid); the reporters learn that their report is being handled;
- return by a department: the dispatchers of the area, with the reason;
- completion: the grid's workers, who verify on site;
- rework after failed verification: the handlers again (a return: it raises an alert);
- supervision (督办) by a leader: whoever holds the stage (the handlers of a dispatched
  event, the grid workers verifying a completed one, ...) and the area's dispatchers;
- close, not filed, void, merge: the reporters (of the event and of every event merged into
  it), so a merged report still hears how its problem ended.

- due soon / overdue (sent by the events deadline job, once per stage): whoever holds the
  stage (clerk, shift leader, dispatcher, handlers, grid workers); overdue also the area's
  command room (shift leaders and dispatchers), which chases every late case.

Overdue, supervision and return notices are alerts (``choices.ALERT_KINDS``): the holder's
open pages show them as they arrive (``views.AlertFeedView``, ``alerts.js``).
"""

import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.events.choices import State

from . import recipients as who
from .actions import notify
from .choices import Kind

logger = logging.getLogger(__name__)


def _short(text: str, n: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _remark(kwargs, event=None) -> str:
    """The reason or remark of the transition: from the signal's data, else from the remark
    of the step's audit record (the trace keeps every remark)."""
    data = kwargs.get("data") or {}
    for name in ("remark", "reason"):
        value = data.get(name) or kwargs.get(name)
        if value:
            return str(value)
    if event is not None:
        step = event.steps.select_related("audit_record").order_by("-seq").first()
        if step is not None and step.audit_record is not None:
            return step.audit_record.remark or ""
    return ""


def _tell_reporters(event, text):
    users, phones = who.reporters(event)
    notify(users, kind=Kind.PROGRESS, text=text, event=event, phones=phones)


def on_dispatch(event, actor, kwargs):
    target = event.department.name if event.department_id else _("网格")
    notify(who.handlers(event), kind=Kind.DISPATCH, event=event, actor=actor,
           text=_("事件 %(number)s 已派遣至%(target)s,请及时签收处置:%(desc)s")
           % {"number": event.number, "target": target, "desc": _short(event.description)})
    _tell_reporters(event, _("您反映的问题(编号 %(number)s)已受理并派遣至%(target)s办理。")
                    % {"number": event.number, "target": target})


def on_return(event, actor, kwargs):
    by = getattr(getattr(actor, "department", None), "name", "") or _("责任部门")
    reason = _remark(kwargs)
    text = _("事件 %(number)s 被%(by)s回退,请重新派遣。") % {"number": event.number, "by": by}
    if reason:
        text += _("理由:%(reason)s") % {"reason": _short(reason, 80)}
    notify(who.dispatchers(event), kind=Kind.RETURN, event=event, actor=actor, text=text)


def on_complete(event, actor, kwargs):
    people = who.grid_workers(event)
    if kwargs.get("_on_spot"):
        # Resolved on the spot by a grid worker: another worker or the grid chief verifies.
        people = [u for u in who.verifiers(event) if u.pk != getattr(actor, "pk", None)]
    notify(people, kind=Kind.TO_VERIFY, event=event, actor=actor,
           text=_("事件 %(number)s 已处置完毕,请到现场核查:%(desc)s")
           % {"number": event.number, "desc": _short(event.description)})


def on_resolve_on_spot(event, actor, kwargs):
    on_complete(event, actor, {**kwargs, "_on_spot": True})


def on_verify(event, actor, kwargs):
    if event.state == State.CLOSED:
        on_close(event, actor, kwargs)
    elif event.state == State.IN_PROGRESS:
        text = _("事件 %(number)s 现场核查未通过,请返工。") % {"number": event.number}
        reason = _remark(kwargs, event)
        if reason:
            text += _("意见:%(reason)s") % {"reason": _short(reason, 80)}
        # Sent back for rework: a return to the handlers, so it raises an alert.
        notify(who.handlers(event), kind=Kind.RETURN, event=event, actor=actor, text=text)


def on_supervise(event, actor, kwargs):
    name = getattr(actor, "real_name", "") or getattr(actor, "username", "") or _("领导")
    text = _("事件 %(number)s 已被%(name)s督办,请加快办理。") % {
        "number": event.number, "name": name}
    remark = _remark(kwargs)
    if remark:
        text += _("督办意见:%(remark)s") % {"remark": _short(remark, 80)}
    # Whoever holds the case now, and the command room that chases it.
    people = _holders(event) + who.dispatchers(event)
    notify(people, kind=Kind.SUPERVISE, event=event, actor=actor, text=text)


def on_close(event, actor, kwargs):
    _tell_reporters(event, _("您反映的问题(编号 %(number)s)已处理完毕并核查结案,欢迎评价。")
                    % {"number": event.number})


def on_not_file(event, actor, kwargs):
    text = _("您反映的问题(编号 %(number)s)经审核不予立案。") % {"number": event.number}
    reason = _remark(kwargs)
    if reason:
        text += _("原因:%(reason)s") % {"reason": _short(reason, 80)}
    _tell_reporters(event, text)


def on_merge(event, actor, kwargs):
    """A duplicate was merged: its reporters learn which event now carries their report
    (and hear that event's progress from then on, see ``recipients.reporters``)."""
    primary = event.merged_into
    number = primary.number if primary is not None else ""
    users, phones = who.reporters(event)
    notify(users, kind=Kind.PROGRESS, event=primary or event, phones=phones,
           text=_("您反映的问题(编号 %(dup)s)与事件 %(number)s 合并办理,进展将一并告知。")
           % {"dup": event.number, "number": number})


STAGE_PEOPLE = {
    State.REPORTED: who.intake_clerks,
    State.REGISTERED: who.filers,
    State.FILED: who.dispatchers,
    State.DISPATCHED: who.handlers,
    State.IN_PROGRESS: who.handlers,
    State.COMPLETED: who.grid_workers,
}


def _holders(event) -> list:
    """Who holds the event's current stage (nobody for a final or suspended state)."""
    finder = STAGE_PEOPLE.get(event.state)
    return list(finder(event)) if finder else []


def _stage_people(event, *, overdue) -> list:
    people = _holders(event)
    if overdue:
        # An overdue stage also goes to the area's command room: the shift leaders and the
        # dispatchers, who chase the department or grid holding it (the grid's own overdue
        # cases are escalated to the street by the events job itself).
        people += who.shift_leaders(event) + who.dispatchers(event)
    return people


def _deadline_text(event, *, overdue) -> str:
    at = timezone.localtime(event.stage_deadline).strftime("%m-%d %H:%M") if (
        event.stage_deadline) else ""
    values = {"number": event.number, "state": event.get_state_display(), "at": at}
    if overdue:
        return _("事件 %(number)s(%(state)s)已超过时限 %(at)s,请尽快办理并说明超期原因。") % values
    return _("事件 %(number)s(%(state)s)将于 %(at)s 到期,请及时办理。") % values


def on_due_soon(event, actor, kwargs):
    """The events deadline job marked the stage due soon: tell whoever holds the stage."""
    notify(_stage_people(event, overdue=False), kind=Kind.DUE_SOON, event=event,
           text=_deadline_text(event, overdue=False),
           dedupe_key=_deadline_key("due_soon", event))


def on_overdue(event, actor, kwargs):
    """The stage ran out: whoever holds it and the shift leaders are told (once per stage)."""
    notify(_stage_people(event, overdue=True), kind=Kind.OVERDUE, event=event,
           text=_deadline_text(event, overdue=True),
           dedupe_key=_deadline_key("overdue", event))


def _deadline_key(kind, event) -> str:
    stamp = event.stage_deadline.isoformat() if event.stage_deadline else "-"
    return f"{kind}:{event.pk}:{stamp}"[:120]


def on_void(event, actor, kwargs):
    text = _("您反映的问题(编号 %(number)s)已作废。") % {"number": event.number}
    reason = _remark(kwargs)
    if reason:
        text += _("原因:%(reason)s") % {"reason": _short(reason, 80)}
    _tell_reporters(event, text)


HANDLERS = {
    "dispatch": on_dispatch,
    "return": on_return,
    "complete": on_complete,
    "resolve_on_spot": on_resolve_on_spot,
    "verify": on_verify,
    "supervise": on_supervise,
    "close": on_close,
    "not_file": on_not_file,
    "void": on_void,
    "merge": on_merge,
    "due_soon": on_due_soon,
    "overdue": on_overdue,
}


def normalise(action: str) -> str:
    """``events.dispatch`` / ``dispatch_event`` / ``dispatch`` → ``dispatch``."""
    action = str(action or "")
    action = action.rsplit(".", 1)[-1]
    if action.endswith("_event"):
        action = action[: -len("_event")]
    return {"merge_events": "merge", "returned": "return"}.get(action, action)


def on_event_transition(sender, event=None, action="", actor=None, **kwargs):
    """Dispatch a transition to the notification it calls for (never breaks the caller)."""
    handler = HANDLERS.get(normalise(action))
    if handler is None or event is None:
        return
    try:
        handler(event, actor, kwargs)
    except Exception:  # noqa: BLE001  (the transition has committed; a lost notice is logged)
        logger.exception("notification for %s on event %s failed", action, event.pk)
