"""The closed loop of REFERENCE §5 as data: one row per action.

Each ``Transition`` says from which states an action may start, which states it can lead to
(``None`` in ``targets`` = the state does not change), which roles may take it and which
scope rule applies to the actor:

- ``AREA``: the actor holds one of the roles in an area that contains the event's grid
  (command room, leaders);
- ``GRID``: the actor holds one of the grid roles in the event's grid (or its community);
- ``HANDLER``: the event's handler: a department role of the department it was dispatched
  to, or, when it was dispatched to the grid (no department), a grid role of its grid;
- ``REPORTER``: the person who reported it, or an intake clerk of its area on their behalf.

``gridgov.events.actions`` enforces the table (role → ``PermissionDenied``, state or stale
version → ``Conflict``), the detail page offers ``available_actions`` and the tests are
parametrised from it. ``actor=None`` (system loaders and periodic jobs) passes the role and
scope checks but never the state check.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import DEPARTMENT_ROLES, GRID_ROLES, Role
from gridgov.core.access import get_scope

from .choices import LEVEL_ORDER, RequestKind, RequestStatus, State

AREA, GRID, HANDLER, REPORTER = "area", "grid", "handler", "reporter"

# Grid roles that work a grid's events on the ground (the instructor guides, does not act).
GRID_ACTORS = frozenset({Role.GRID_WORKER, Role.GRID_CHIEF})
HANDLER_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_ADMIN}) | GRID_ACTORS

S = State
OPEN_STATES = frozenset({S.REPORTED, S.REGISTERED, S.FILED, S.DISPATCHED, S.IN_PROGRESS,
                         S.COMPLETED, S.SUSPENDED})
HANDLING = frozenset({S.DISPATCHED, S.IN_PROGRESS})


@dataclass(frozen=True)
class Transition:
    """One action of the loop."""

    action: str
    label: str
    sources: frozenset
    targets: tuple
    roles: frozenset
    scope: str
    # Fields the action needs from the person (for forms and the API).
    needs: tuple = ()


TRANSITIONS = {t.action: t for t in (
    Transition("register", _("受理"), frozenset({S.REPORTED}), (S.REGISTERED,),
               frozenset({Role.INTAKE_CLERK}), AREA),
    Transition("file", _("立案"), frozenset({S.REGISTERED}), (S.FILED,),
               frozenset({Role.SHIFT_LEADER}), AREA),
    Transition("not_file", _("不予立案"), frozenset({S.REPORTED, S.REGISTERED}), (S.NOT_FILED,),
               frozenset({Role.SHIFT_LEADER}), AREA, ("reason",)),
    Transition("void", _("作废"), frozenset({S.REPORTED, S.REGISTERED, S.FILED}), (S.VOID,),
               frozenset({Role.SHIFT_LEADER}), AREA, ("reason",)),
    Transition("dispatch", _("派遣"), frozenset({S.FILED}), (S.DISPATCHED,),
               frozenset({Role.DISPATCHER}), AREA, ("department",)),
    Transition("claim", _("签收"), frozenset({S.DISPATCHED}), (S.IN_PROGRESS,),
               HANDLER_ROLES, HANDLER),
    Transition("return", _("回退"), HANDLING, (S.FILED,), HANDLER_ROLES, HANDLER, ("reason",)),
    Transition("request_extension", _("申请延期"), HANDLING, (None,), HANDLER_ROLES, HANDLER,
               ("days", "reason")),
    Transition("decide_extension", _("审批延期"), HANDLING, (None,),
               frozenset({Role.SHIFT_LEADER}), AREA, ("approve",)),
    Transition("request_suspension", _("申请挂账"), HANDLING, (None,), HANDLER_ROLES, HANDLER,
               ("reason",)),
    Transition("decide_suspension", _("审批挂账"), HANDLING, (S.SUSPENDED, None),
               frozenset({Role.SHIFT_LEADER}), AREA, ("approve",)),
    Transition("resume", _("恢复处置"), frozenset({S.SUSPENDED}), (S.FILED,),
               frozenset({Role.SHIFT_LEADER}), AREA),
    Transition("complete", _("处置完毕"), frozenset({S.IN_PROGRESS}), (S.COMPLETED,),
               HANDLER_ROLES, HANDLER, ("remark",)),
    Transition("verify", _("核查"), frozenset({S.COMPLETED}), (S.CLOSED, S.IN_PROGRESS),
               GRID_ACTORS, GRID, ("passed",)),
    Transition("resolve_on_spot", _("自行处置"),
               frozenset({S.REPORTED, S.REGISTERED, S.FILED}), (S.COMPLETED,),
               frozenset({Role.GRID_WORKER}), GRID, ("remark",)),
    Transition("escalate", _("上报上级"),
               frozenset({S.REPORTED, S.REGISTERED, S.FILED, S.DISPATCHED, S.IN_PROGRESS}),
               (None,), frozenset({Role.SHIFT_LEADER}), AREA, ("reason",)),
    Transition("supervise", _("督办"), OPEN_STATES, (None,), frozenset({Role.LEADER}), AREA,
               ("remark",)),
    Transition("evaluate", _("评价"), frozenset({S.CLOSED}), (None,),
               frozenset({Role.INTAKE_CLERK}), REPORTER, ("score",)),
    Transition("release_held", _("审核放行"), frozenset({S.HELD}), (S.REPORTED, S.VOID),
               frozenset({Role.INTAKE_CLERK, Role.SHIFT_LEADER}), AREA, ("approve",)),
    Transition("merge", _("合并重复"), frozenset({S.REPORTED, S.REGISTERED, S.FILED}),
               (S.MERGED,), frozenset({Role.INTAKE_CLERK, Role.SHIFT_LEADER}), AREA),
)}


def role_allowed(transition: Transition, scope) -> bool:
    """Whether the principal holds a role that may take the action at all."""
    if scope is None or scope.is_api_client:
        return False
    if transition.scope == REPORTER:
        return True  # the reporter needs no role; checked against the event
    return scope.has_role(*transition.roles)


def in_scope(transition: Transition, event, scope) -> bool:
    """Whether the principal may take the action on this event (its roles where they apply)."""
    if scope is None or scope.is_api_client:
        return False
    code = event.area_code
    if transition.scope == AREA:
        return scope.covers(code, roles=transition.roles)
    if transition.scope == GRID:
        return scope.covers(code, roles=transition.roles & GRID_ROLES)
    if transition.scope == HANDLER:
        if event.department_id:
            return (scope.department_id == event.department_id
                    and scope.has_role(*(transition.roles & DEPARTMENT_ROLES)))
        return scope.covers(code, roles=transition.roles & GRID_ROLES)
    if transition.scope == REPORTER:
        if event.reporter_user_id and event.reporter_user_id == scope.user_id:
            return True
        return scope.covers(code, roles=(Role.INTAKE_CLERK,))
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
