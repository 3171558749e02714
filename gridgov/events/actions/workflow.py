"""The workflow transitions (REFERENCE §5): one verb per row of ``workflow.TRANSITIONS``.

Each verb checks the actor's permission (``PermissionDenied``), the event's state and, when
given, ``expected_version`` (``Conflict``), then the actor's scope on the event; validates
its input (``ValidationError({field: reason})``); and moves the event, writes its audit
record and step row in one transaction (``base.transition``). Extension and suspension
requests are in ``actions.requests``, merging in ``actions.merge``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import Department

from .. import deadlines, evidence, public_links
from ..choices import LEVEL_ORDER, EventLevel, Nature, State, Urgency
from ..models import Event
from . import screening
from .base import (
    Conflict,
    category_of,
    no_stage,
    stage,
    text,
    transition,
    user_or_none,
)


def release_held(event, *, approve, actor, remark="", expected_version=None) -> Event:
    """Decide a held report: approve → ``reported`` (on into the loop), reject → ``void``."""
    approve = bool(approve)
    if not approve:
        remark = text(remark, "remark")

    def changes(ev):
        if approve:
            return {"state": State.REPORTED, **stage(deadlines.dispatch_deadline(ev))}
        return {"state": State.VOID, **no_stage(), "closed_at": timezone.now()}

    return transition(event, "release_held", actor=actor, expected_version=expected_version,
                      changes_fn=changes, remark=remark, extra_fn=lambda ev: {
                           "approve": approve}, data_fn=lambda ev: {"approve": approve})



# --- command room ----------------------------------------------------------------------------


def register_event(event, *, actor, remark="", category=None, urgency=None, nature=None,
                   expected_version=None) -> Event:
    """The intake clerk accepts the report (受理), optionally setting its class and urgency."""
    category = category_of(category)
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

    return transition(event, "register", actor=actor, expected_version=expected_version,
                      changes_fn=changes, remark=text(remark, "remark", required=False))


def file_event(event, *, actor, remark="", category=None, expected_version=None) -> Event:
    """The shift leader files the case (立案); it needs a minor class."""
    category = category_of(category)

    def changes(ev):
        if category is None and ev.category_id is None:
            raise ValidationError({"category": _("立案前请选择事件小类。")})
        out = {"state": State.FILED}
        if category is not None:
            out["category"] = category
        return out

    return transition(event, "file", actor=actor, expected_version=expected_version,
                      changes_fn=changes, remark=text(remark, "remark", required=False))


def not_file_event(event, *, reason, actor, expected_version=None) -> Event:
    """The shift leader declines to file (不予立案), with the reason."""
    reason = text(reason, "reason")
    return transition(
        event, "not_file", actor=actor, expected_version=expected_version, remark=reason,
        changes_fn=lambda ev: {"state": State.NOT_FILED, **no_stage(),
                               "closed_at": timezone.now()},
        data_fn=lambda ev: {"reason": reason})


def void_event(event, *, reason, actor, expected_version=None) -> Event:
    """The shift leader voids a report (作废: a test, a prank, a mistake), with the reason."""
    reason = text(reason, "reason")
    return transition(
        event, "void", actor=actor, expected_version=expected_version, remark=reason,
        changes_fn=lambda ev: {"state": State.VOID, **no_stage(), "closed_at": timezone.now()},
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
               **stage(deadlines.handle_deadline(ev), handle=True)}
        if to_grid:
            out["department_id"] = None
            del out["department"]
        return out

    return transition(
        event, "dispatch", actor=actor, expected_version=expected_version,
        changes_fn=changes, remark=text(remark, "remark", required=False),
        extra_fn=lambda ev: {"to_grid": to_grid},
        data_fn=lambda ev: {"department_id": ev.department_id, "to_grid": to_grid})


def escalate_event(event, *, reason, actor, expected_version=None) -> Event:
    """Move the event up one level (社区 → 街道 → 区) for coordination, with the reason."""
    reason = text(reason, "reason")

    def changes(ev):
        index = LEVEL_ORDER.index(EventLevel(ev.level))
        return {"level": LEVEL_ORDER[index + 1]}

    return transition(event, "escalate", actor=actor, expected_version=expected_version,
                      changes_fn=changes, remark=reason,
                      data_fn=lambda ev: {"level": ev.level, "reason": reason})


def supervise_event(event, *, remark, actor, expected_version=None) -> Event:
    """A leader marks the event as supervised (督办), with instructions."""
    remark = text(remark, "remark")
    return transition(event, "supervise", actor=actor, expected_version=expected_version,
                      changes_fn=lambda ev: {"supervised": True}, remark=remark,
                      data_fn=lambda ev: {"remark": remark})


def resume_event(event, *, actor, remark="", expected_version=None) -> Event:
    """The shift leader takes a suspended (挂账) event back for dispatch."""
    return transition(
        event, "resume", actor=actor, expected_version=expected_version,
        changes_fn=lambda ev: {"state": State.FILED, "assignee": None,
                               **stage(deadlines.dispatch_deadline(ev))},
        remark=text(remark, "remark", required=False))


# --- handling --------------------------------------------------------------------------------


def claim_event(event, *, actor, remark="", expected_version=None) -> Event:
    """The handler signs for the dispatched event (签收) and becomes its assignee."""
    return transition(
        event, "claim", actor=actor, expected_version=expected_version,
        changes_fn=lambda ev: {"state": State.IN_PROGRESS, "assignee": user_or_none(actor)},
        remark=text(remark, "remark", required=False))


def return_event(event, *, reason, actor, expected_version=None) -> Event:
    """A department that is not responsible sends the case back to the dispatcher (回退)."""
    reason = text(reason, "reason")

    def changes(ev):
        return {"state": State.FILED, "department_id": None, "assignee": None,
                "handle_deadline": None, **stage(deadlines.dispatch_deadline(ev))}

    return transition(event, "return", actor=actor, expected_version=expected_version,
                      changes_fn=changes, remark=reason,
                      data_fn=lambda ev: {"reason": reason})


def _evidence(action, lng, lat, accuracy_m=None, position_at=None):
    """The evidence check of a step (``evidence.check``, by the event's class's rule); the
    device's fix (point, accuracy, time) is stamped on the step with its distance."""
    place = evidence.parse_place(lng, lat)
    fix = evidence.parse_fix(accuracy_m, position_at)
    return lambda ev, prepared: evidence.check(ev, action, prepared, place, fix)


def complete_event(event, *, remark, actor, attachments=(), overdue_reason="", lng=None,
                   lat=None, accuracy_m=None, position_at=None,
                   expected_version=None) -> Event:
    """The handler reports the work done, with photos; now it waits for verification.

    Past the handling deadline a written explanation (``overdue_reason``) is required. The
    class's evidence rule may require a photo and the device's place (``lng``/``lat``, near
    the event): ``ValidationError`` on ``attachments`` or ``lng`` otherwise. The place given,
    with the fix's ``accuracy_m`` and ``position_at``, is stamped on the step.
    """
    remark = text(remark, "remark")
    overdue_reason = text(overdue_reason, "overdue_reason", required=False)

    def changes(ev):
        if ev.handle_deadline and timezone.now() > ev.handle_deadline and not overdue_reason:
            raise ValidationError({"overdue_reason": _("事件已超期,请填写超期说明。")})
        return {"state": State.COMPLETED, "overdue_reason": overdue_reason,
                **stage(deadlines.verify_deadline(ev))}

    return transition(event, "complete", actor=actor, expected_version=expected_version,
                      changes_fn=changes, remark=remark, attachments=attachments,
                      evidence_fn=_evidence("complete", lng, lat, accuracy_m, position_at))


def resolve_on_spot(event, *, remark, actor, attachments=(), lng=None, lat=None,
                    accuracy_m=None, position_at=None, expected_version=None) -> Event:
    """The grid worker fixed it on the spot (自行处置); it still waits for verification by the
    grid's worker or chief, and is counted as resolved on the spot. Evidence as completion."""
    remark = text(remark, "remark")
    return transition(
        event, "resolve_on_spot", actor=actor, expected_version=expected_version,
        changes_fn=lambda ev: {"state": State.COMPLETED, "resolved_on_spot": True,
                               "assignee": user_or_none(actor),
                               **stage(deadlines.verify_deadline(ev))},
        remark=remark, attachments=attachments,
        evidence_fn=_evidence("resolve_on_spot", lng, lat, accuracy_m,
                                            position_at))


def verify_event(event, *, passed, actor, remark="", attachments=(), lng=None, lat=None,
                 accuracy_m=None, position_at=None, expected_version=None) -> Event:
    """On-site verification by the grid: passed → closed (结案), failed → rework (返工).

    Either way the class's evidence rule for verification applies (the photo shows what
    the worker found, done or not); the device's fix is stamped on the step with its
    distance to the event (the command room sees where the check was made)."""
    passed = bool(passed)
    if not passed:
        remark = text(remark, "remark")

    def changes(ev):
        if passed:
            return {"state": State.CLOSED, **no_stage(), "closed_at": timezone.now()}
        return {"state": State.IN_PROGRESS, **stage(deadlines.handle_deadline(ev), handle=True)}

    return transition(event, "verify", actor=actor, expected_version=expected_version,
                      changes_fn=changes, remark=remark or "", attachments=attachments,
                      evidence_fn=_evidence("verify", lng, lat, accuracy_m, position_at),
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
    comment = text(comment, "comment", required=False)
    return transition(event, "evaluate", actor=actor, expected_version=expected_version,
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
    comment = text(comment, "comment", required=False, max_length=LINK_COMMENT_MAX)
    found = screening.screen(comment=comment)
    if found.held:
        raise ValidationError({"comment": _(
            "评价意见含有不文明或不当用语(%(terms)s),请修改后再提交。") % {
            "terms": "、".join(found.terms)}})
    via = _("上报人通过跟踪链接评价")
    return transition(
        current, "evaluate", actor=None, expected_version=current.version,
        changes_fn=lambda ev: {"evaluation_score": score, "evaluation_comment": comment},
        remark=f"{via}:{comment}" if comment else str(via),
        extra_fn=lambda ev: {"via": "reporter_link"}, audit_role=REPORTER_LINK_ROLE)

