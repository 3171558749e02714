"""Extension (延期) and suspension (挂账) requests: the handler asks, the shift leader decides.

A request is an ``EventRequest`` row written inside its transition; the decision updates the
row and, when approved, the event (a new handling deadline, or the problem pool). A request
left undecided when the case leaves the handling stage lapses (``base._lapse_requests``).
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import deadlines
from ..choices import RequestKind, RequestStatus, State
from ..models import Event, EventRequest
from .base import no_stage, text, transition, user_or_none


def _request(event, action, kind, *, actor, reason, days, expected_version):
    def changes(ev):
        EventRequest.objects.create(
            event=ev, kind=kind, days=days, reason=reason, requested_by=user_or_none(actor),
            from_state=ev.state)
        return {}

    return transition(event, action, actor=actor, expected_version=expected_version,
                      changes_fn=changes, remark=reason,
                      extra_fn=lambda ev: {"request": {"kind": kind, "days": days}},
                      data_fn=lambda ev: {"kind": kind, "days": days, "reason": reason})


def request_extension(event, *, days, reason, actor, expected_version=None) -> Event:
    """The handler asks for more working days (延期), with the reason."""
    reason = text(reason, "reason")
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
    reason = text(reason, "reason")
    return _request(event, "request_suspension", RequestKind.SUSPENSION, actor=actor,
                    reason=reason, days=None, expected_version=expected_version)


def _decide(event, action, kind, *, approve, actor, remark, expected_version, apply):
    approve = bool(approve)
    if not approve:
        remark = text(remark, "remark")

    def changes(ev):
        request = EventRequest.objects.select_for_update().get(
            event=ev, kind=kind, status=RequestStatus.PENDING)
        request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
        request.decided_by = user_or_none(actor)
        request.decided_at = timezone.now()
        request.decision_remark = remark or ""
        request.save()
        ev._decided_request = request
        return apply(ev, request) if approve else {}

    return transition(event, action, actor=actor, expected_version=expected_version,
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
        return {"state": State.SUSPENDED, **no_stage()}

    return _decide(event, "decide_suspension", RequestKind.SUSPENSION, approve=approve,
                   actor=actor, remark=remark, expected_version=expected_version, apply=apply)

