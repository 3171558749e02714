"""The closed loop of REFERENCE §5 as data: one row per action.

Each ``Transition`` says from which states an action may start, which states it can lead to
(``None`` in ``targets`` = the state does not change), the permission it needs
(``events.<action>``, declared in ``permissions.py``; which roles hold it is data), the scope
rule that says on which events, the action verb that runs it and the inputs it takes:

- ``AREA``: the actor holds the permission, through an area role, in an area that contains
  the event's grid (command room, leaders);
- ``GRID``: the same, on the ground: the grid roles of the event's grid (or its community);
- ``HANDLER``: the event's handler: for an event dispatched to a department, a holder of
  the permission through a department-bound role of that department; for one dispatched to
  the grid (no department), a holder through an area role covering the grid;
- ``REPORTER``: the person who reported it, or a holder of the permission (the intake clerk)
  in its area on their behalf.

``gridgov.events.actions`` enforces the table (permission → ``PermissionDenied``, state or
stale version → ``Conflict``), ``actions.perform`` and the API read each action's inputs from
it (so a new transition needs no API code), the detail page offers ``available_actions`` and
the tests are parametrised from it. ``actor=None`` (system loaders and periodic jobs) passes
the permission and scope checks but never the state check.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from gridgov.core.access import get_scope

from .choices import LEVEL_ORDER, RequestKind, RequestStatus, State

AREA, GRID, HANDLER, REPORTER = "area", "grid", "handler", "reporter"

S = State
OPEN_STATES = frozenset({S.REPORTED, S.REGISTERED, S.FILED, S.DISPATCHED, S.IN_PROGRESS,
                         S.COMPLETED, S.SUSPENDED})
HANDLING = frozenset({S.DISPATCHED, S.IN_PROGRESS})

# Kinds of input a transition takes from the person (forms and the API read them alike).
TEXT, CODE, BOOL, INT, FILES = "text", "code", "bool", "int", "files"
TEXT_MAX = 2000


@dataclass(frozen=True)
class Input:
    """One input of a transition: its name in forms and JSON, its kind, and the keyword of
    the action verb it is passed as (``param``, default the name).

    Whether a value is required is the verb's rule (a refusal needs a remark, an approval
    does not), so every input is optional here and the verb answers ``ValidationError``
    with the field name."""

    name: str
    kind: str = TEXT
    max_length: int = TEXT_MAX
    param: str = ""

    @property
    def keyword(self) -> str:
        return self.param or self.name


REMARK, REASON = Input("remark"), Input("reason")
CATEGORY = Input("category", CODE, 10)
ATTACHMENTS = Input("attachments", FILES)
APPROVE = Input("approve", BOOL)
# The device's position (WGS-84) where an evidence rule asks for the place (取证规则), with
# the fix's accuracy in metres and when the device took it (stamped on the step).
PLACE = (Input("lng", TEXT, 32), Input("lat", TEXT, 32), Input("accuracy_m", TEXT, 16),
         Input("position_at", TEXT, 40))


@dataclass(frozen=True)
class Transition:
    """One action of the loop."""

    action: str
    label: str
    sources: frozenset
    targets: tuple
    scope: str
    # The action verb (a function of ``gridgov.events.actions``) and the inputs it takes.
    verb: str = ""
    needs: tuple = ()

    @property
    def permission(self) -> str:
        """The permission the action needs (declared in ``events/permissions.py``)."""
        return f"events.{self.action}"


TRANSITIONS = {t.action: t for t in (
    Transition("register", _("受理"), frozenset({S.REPORTED}), (S.REGISTERED,), AREA,
               "register_event", (REMARK, CATEGORY, Input("urgency", CODE, 10))),
    Transition("file", _("立案"), frozenset({S.REGISTERED}), (S.FILED,), AREA,
               "file_event", (REMARK, CATEGORY)),
    Transition("not_file", _("不予立案"), frozenset({S.REPORTED, S.REGISTERED}), (S.NOT_FILED,),
               AREA, "not_file_event", (REASON,)),
    Transition("void", _("作废"), frozenset({S.REPORTED, S.REGISTERED, S.FILED}), (S.VOID,),
               AREA, "void_event", (REASON,)),
    Transition("dispatch", _("派遣"), frozenset({S.FILED}), (S.DISPATCHED,), AREA,
               "dispatch_event", (Input("department", CODE, 20),
                                  Input("to_grid", BOOL, param="grid"), REMARK)),
    Transition("claim", _("签收"), frozenset({S.DISPATCHED}), (S.IN_PROGRESS,), HANDLER,
               "claim_event", (REMARK,)),
    Transition("return", _("回退"), HANDLING, (S.FILED,), HANDLER, "return_event", (REASON,)),
    Transition("request_extension", _("申请延期"), HANDLING, (None,), HANDLER,
               "request_extension", (Input("days", INT), REASON)),
    Transition("decide_extension", _("审批延期"), HANDLING, (None,), AREA,
               "decide_extension", (APPROVE, REMARK)),
    Transition("request_suspension", _("申请挂账"), HANDLING, (None,), HANDLER,
               "request_suspension", (REASON,)),
    Transition("decide_suspension", _("审批挂账"), HANDLING, (S.SUSPENDED, None), AREA,
               "decide_suspension", (APPROVE, REMARK)),
    Transition("resume", _("恢复处置"), frozenset({S.SUSPENDED}), (S.FILED,), AREA,
               "resume_event", (REMARK,)),
    Transition("complete", _("处置完毕"), frozenset({S.IN_PROGRESS}), (S.COMPLETED,), HANDLER,
               "complete_event", (REMARK, ATTACHMENTS, Input("overdue_reason"), *PLACE)),
    Transition("verify", _("核查"), frozenset({S.COMPLETED}), (S.CLOSED, S.IN_PROGRESS), GRID,
               "verify_event", (Input("passed", BOOL), REMARK, ATTACHMENTS, *PLACE)),
    Transition("resolve_on_spot", _("自行处置"),
               frozenset({S.REPORTED, S.REGISTERED, S.FILED}), (S.COMPLETED,), GRID,
               "resolve_on_spot", (REMARK, ATTACHMENTS, *PLACE)),
    Transition("escalate", _("上报上级"),
               frozenset({S.REPORTED, S.REGISTERED, S.FILED, S.DISPATCHED, S.IN_PROGRESS}),
               (None,), AREA, "escalate_event", (REASON,)),
    Transition("supervise", _("督办"), OPEN_STATES, (None,), AREA, "supervise_event",
               (REMARK,)),
    Transition("evaluate", _("评价"), frozenset({S.CLOSED}), (None,), REPORTER,
               "evaluate_event", (Input("score", INT), Input("comment"))),
    Transition("release_held", _("审核放行"), frozenset({S.HELD}), (S.REPORTED, S.VOID), AREA,
               "release_held", (APPROVE, REMARK)),
    # Merging takes a set of events; it has its own page, endpoint and verb (merge_events).
    Transition("merge", _("合并重复"), frozenset({S.REPORTED, S.REGISTERED, S.FILED}),
               (S.MERGED,), AREA),
)}


def role_allowed(transition: Transition, scope) -> bool:
    """Whether the principal holds the action's permission at all (anywhere)."""
    if scope is None:
        return False
    if transition.scope == REPORTER:
        return True  # the reporter needs no permission; checked against the event
    return scope.can(transition.permission)


def in_scope(transition: Transition, event, scope) -> bool:
    """Whether the principal may take the action on this event: it holds the permission
    where the transition's scope rule looks (see the module docstring)."""
    if scope is None:
        return False
    code, perm = event.area_code, transition.permission
    if transition.scope in (AREA, GRID):
        return scope.covers(code, perm, department_bound=False)
    if transition.scope == HANDLER:
        if event.department_id:
            return (scope.department_id == event.department_id
                    and scope.department_can(perm))
        return scope.covers(code, perm, department_bound=False)
    if transition.scope == REPORTER:
        if event.reporter_user_id and event.reporter_user_id == scope.user_id:
            return True
        return scope.covers(code, perm, department_bound=False)
    return False


def precondition(action: str, event) -> bool:
    """Conditions beyond the state (pending requests, levels, one evaluation)."""
    if action in ("decide_extension", "decide_suspension"):
        kind = RequestKind.EXTENSION if action == "decide_extension" else RequestKind.SUSPENSION
        return event.requests.filter(kind=kind, status=RequestStatus.PENDING).exists()
    if action in ("request_extension", "request_suspension"):
        kind = RequestKind.EXTENSION if action == "request_extension" else RequestKind.SUSPENSION
        return not event.requests.filter(kind=kind, status=RequestStatus.PENDING).exists()
    if action == "escalate":
        return event.level != LEVEL_ORDER[-1]
    if action == "evaluate":
        return event.evaluation_score is None
    if action == "supervise":
        return not event.supervised
    return True


def available_actions(event, user, *, exclude=("merge",)) -> list[Transition]:
    """The actions ``user`` may take on ``event`` now (for the detail page and the API)."""
    scope = get_scope(user)
    out = []
    for transition in TRANSITIONS.values():
        if transition.action in exclude:
            continue
        if event.state not in transition.sources:
            continue
        if not role_allowed(transition, scope) or not in_scope(transition, event, scope):
            continue
        if not precondition(transition.action, event):
            continue
        out.append(transition)
    return out
