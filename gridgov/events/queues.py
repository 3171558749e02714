"""The work queues of the event loop: what each list holds, who sees it, and its count.

A queue is a filter on the events a person may read (``Event.objects.restrict(user)``),
grouped into the page that shows it (a ``Room``):

- ``COMMAND_ROOM`` (指挥中心, ``events.command_room``): held, new, to file, to dispatch, due
  soon, overdue, supervised, and the pending decisions (待审批) for those who decide
  extension and suspension requests;
- ``DEPARTMENT`` (部门待办, ``events.department_work``): what the person's department holds
  now: to claim, being handled, overdue;
- ``GRID`` (我的事件): to verify and tasks sent to the grid, in the grids where the person
  works them (``events.grid_work``), and their own reports.

Due soon and overdue are the rule of ``gridgov.events.deadlines`` (the same as every row
badge and map colour). The pages, the home page's 待办 and anything else that counts or lists
a queue use this module: ``queue_queryset(key, user, now)`` for one queue's rows and
``counts(user, now)`` for all the person's queues in one aggregate query.

Counting at scale: a district's year holds hundreds of thousands of cases, of which a few
thousand are open. Every queue but 我的上报 holds open cases only, so ``counts`` and
``queue_queryset`` add ``open_q()`` to the WHERE of their query (the same rows: each such
queue's filter already implies it). The condition is that of the open-case partial indexes
(``gridgov.events.open_cases``), so the database reads the open cases of the scope from them
instead of scanning the whole history for the few rows the ``FILTER`` clauses keep. A queue
that also holds closed cases says so (``history=True``); its own filter then joins the WHERE.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.access import get_scope
from gridgov.core.querysets import NOTHING

from . import deadlines
from .choices import FINAL_STATES, RequestKind, RequestStatus, State
from .models import Event, EventRequest
from .open_cases import open_q
from .workflow import TRANSITIONS

# Who decides a request of each kind: the permission of the deciding transition (the workflow
# table says from which states it can still be decided).
DECISIONS = {
    RequestKind.EXTENSION: "decide_extension",
    RequestKind.SUSPENSION: "decide_suspension",
}
DECISION_PERMISSIONS = tuple(f"events.{action}" for action in DECISIONS.values())


@dataclass(frozen=True)
class Queue:
    """One list: its key (``?queue=``), label, who sees it, and its filter at ``now``.

    ``permission``: the queue is shown to principals holding any of these (empty: everyone
    who opens the room). ``rule(now, scope)`` is the filter, applied to the room's base.
    ``history``: the queue holds closed cases too (its rule is not confined to open states),
    so its queries cannot be narrowed to the open-case indexes.
    """

    key: str
    label: str
    rule: Callable[[dt.datetime, object], Q]
    permission: tuple = ()
    history: bool = False

    def visible_to(self, scope) -> bool:
        return not self.permission or scope.can(*self.permission)

    def bound(self, now, scope) -> Q:
        """A superset of the queue's rows that an index serves: the open cases, or for a
        queue with history its own rule."""
        return self.rule(now, scope) if self.history else open_q()


@dataclass(frozen=True)
class Room:
    """A page of queues: the permission to open it, its queues, and the base every queue of
    it filters (``base(scope)``: a further narrowing of what the person may read)."""

    name: str
    permission: tuple
    queues: tuple
    base: Callable[[object], Q] = field(default=lambda scope: Q())

    def visible(self, scope) -> tuple:
        """The queues of this room the person sees, in order."""
        return tuple(q for q in self.queues if q.visible_to(scope))

    def get(self, key) -> Queue:
        for queue in self.queues:
            if queue.key == key:
                return queue
        raise KeyError(key)


def _state(state) -> Callable:
    return lambda now, scope: Q(state=state)


def _pending_decisions(now, scope) -> Q:
    """Events with a pending request the person can still decide, in the areas where they
    hold the deciding permission.

    A request stays pending when the event moves on without a decision (returned, the other
    request approved): the decision action refuses such a state, so the queue leaves it out
    rather than offer buttons that can only fail. A subquery, not a join, keeps the counts one
    aggregate query and one row per event.
    """
    out = NOTHING
    for kind, action in DECISIONS.items():
        pending = EventRequest.objects.filter(kind=kind, status=RequestStatus.PENDING)
        out |= (Q(state__in=sorted(TRANSITIONS[action].sources),
                  pk__in=pending.values("event_id"))
                & scope.area_q("area_code", f"events.{action}", department_bound=False))
    return out


def _grid_work(q) -> Callable:
    # Only in the grids where the person verifies and handles (a chief: the community's).
    return lambda now, scope: scope.area_q("area_code", "events.grid_work") & q


OVERDUE = Queue("overdue", _("已超期"), lambda now, scope: deadlines.overdue_q(now))
DUE_SOON = Queue("due_soon", _("即将到期"), lambda now, scope: deadlines.due_soon_q(now))

COMMAND_ROOM = Room("command", ("events.command_room",), (
    Queue("held", _("待审核"), _state(State.HELD)),
    Queue("new", _("新上报"), _state(State.REPORTED)),
    Queue("to_file", _("待立案"), _state(State.REGISTERED)),
    Queue("to_dispatch", _("待派遣"), _state(State.FILED)),
    DUE_SOON,
    OVERDUE,
    Queue("supervised", _("督办"),
          lambda now, scope: Q(supervised=True) & ~Q(state__in=sorted(FINAL_STATES))),
    # Not for the leader, who supervises but does not approve.
    Queue("decisions", _("待审批"), _pending_decisions, DECISION_PERMISSIONS),
))

DEPARTMENT = Room("department", ("events.department_work",), (
    Queue("to_claim", _("待签收"), _state(State.DISPATCHED)),
    Queue("handling", _("处置中"), _state(State.IN_PROGRESS)),
    OVERDUE,
), base=lambda scope: (Q(department_id=scope.department_id) if scope.department_id
                       else NOTHING))
# Only what the department holds now (restrict() also shows what it held before).

GRID = Room("grid", ("events.grid_work", "events.report_patrol"), (
    Queue("to_verify", _("待核查"), _grid_work(Q(state=State.COMPLETED))),
    Queue("grid_tasks", _("派给网格"), _grid_work(
        Q(department__isnull=True, state__in=[State.DISPATCHED, State.IN_PROGRESS]))),
    Queue("reported", _("我的上报"), lambda now, scope: Q(reporter_user_id=scope.user_id),
          history=True),
))

ROOMS = {room.name: room for room in (COMMAND_ROOM, DEPARTMENT, GRID)}

# The command room opens on the queue the person works (first match), else "new".
DEFAULT_COMMAND_QUEUE = (
    ("events.register", "new"),
    ("events.file", "to_file"),
    ("events.dispatch", "to_dispatch"),
    ("events.supervise", "overdue"),
)


def default_queue(scope, room=COMMAND_ROOM) -> str:
    """The queue a room opens on for this person."""
    if room is COMMAND_ROOM:
        for permission, key in DEFAULT_COMMAND_QUEUE:
            if scope.can(permission):
                return key
    return room.visible(scope)[0].key


def queue_q(key, scope, now=None, room=COMMAND_ROOM) -> Q:
    """The filter of one queue for this person (room base included), to apply after
    ``restrict()``."""
    now = now or timezone.now()
    return room.base(scope) & room.get(key).rule(now, scope)


def _base(user, room) -> tuple[QuerySet, object]:
    """What the person may read, and their scope (None: they may not open the room)."""
    scope = get_scope(user)
    if scope is None or not scope.can(*room.permission):
        return Event.objects.none(), None
    return Event.objects.restrict(user), scope


def queue_queryset(key, user, now=None, room=COMMAND_ROOM) -> QuerySet:
    """The events of queue ``key`` of ``room`` for ``user`` (none if they may not see it).

    Raises ``Http404`` for a key the room does not have, so a page can pass ``?queue=``
    straight in."""
    try:
        queue = room.get(key)
    except KeyError:
        raise Http404(_("没有这个队列。")) from None
    queryset, scope = _base(user, room)
    if scope is None or not queue.visible_to(scope):
        return Event.objects.none()
    where = queue_q(key, scope, now, room)
    if not queue.history:
        # Changes no row (the rule implies it) but lets an open-case index serve.
        where &= open_q()
    return queryset.filter(where)


def count_where(room, wanted, scope, now) -> Q:
    """The WHERE of the counts of queues ``wanted`` of ``room``: the room's base and the OR
    of the queues' bounds (the open cases, plus the rows of any queue with history)."""
    bounds = open_q() if any(not q.history for q in wanted) else NOTHING
    for queue in wanted:
        if queue.history:
            bounds |= queue.bound(now, scope)
    return room.base(scope) & bounds


def counts(user, now=None, room=COMMAND_ROOM, keys=None) -> dict[str, int]:
    """{key: count} for the person's queues of ``room`` (or only ``keys``): one query.

    Its WHERE holds the room's base and the queues' bounds (``count_where``), so the database
    reads only the open cases of the scope (and a history queue's own rows) through an index,
    and the ``FILTER`` clauses split those few rows between the queues: the same counts as
    filtering every case in scope, at a cost that follows the open cases, not the history.
    """
    queryset, scope = _base(user, room)
    if scope is None:
        return {}
    now = now or timezone.now()
    wanted = [q for q in room.visible(scope) if keys is None or q.key in keys]
    if not wanted:
        return {}
    return queryset.filter(count_where(room, wanted, scope, now)).aggregate(**{
        q.key: Count("pk", filter=queue_q(q.key, scope, now, room)) for q in wanted})
