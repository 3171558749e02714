"""Deadline alerts: the periodic scan marks a stage due soon or overdue, once per stage."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..choices import EventLevel, State
from ..models import Event
from .base import Conflict, move, state_of, trace


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
        before = state_of(current)
        changes = {"deadline_alert": kind}
        escalate = (kind == "overdue" and current.level == EventLevel.COMMUNITY
                    and current.department_id is None
                    and current.state in (State.DISPATCHED, State.IN_PROGRESS))
        if escalate:
            changes["level"] = EventLevel.STREET
        try:
            # The version moves only when the alert escalates the case (who handles it
            # changes); a plain mark must not make a clerk's or dispatcher's step conflict.
            move(current, bump=escalate, **changes)
        except Conflict:
            return None
        trace(current, kind, actor=actor, before=before, from_state=current.state,
              remark=_("超期") if kind == "overdue" else _("即将到期"),
              data={"escalated": escalate, "stage_deadline": current.stage_deadline},
              stage_deadline=current.stage_deadline)
    return current

