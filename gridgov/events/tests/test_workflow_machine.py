"""The workflow table, tested two ways.

- Coverage by construction: every row of the table (each source state, action and outcome) is
  walked on an explicit path from a fresh report, so every reachable state is reached on every
  run; no random walk has to be lucky.
- Rule-following: a hypothesis state machine drives action sequences by any of the demo people
  against the table. The model below is written independently of ``workflow.py``'s helpers, and
  every step checks the outcome (new state, PermissionDenied or Conflict), that the detail
  page's ``available_actions`` offered exactly what succeeded, the version and the audit chain.
  It runs derandomized (a fixed seed, no example database), so each run is the same run.
"""

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from gridgov.audit.models import AuditRecord
from gridgov.events import actions
from gridgov.events.choices import State
from gridgov.events.models import Event
from gridgov.events.workflow import TRANSITIONS, available_actions

from .workflow_support import call, new_event, people

pytestmark = pytest.mark.django_db

S = State
# Who may do what, by person key (the demo people of workflow_support), written out.
MAY = {
    "register": {"clerk"},
    "file": {"shift"}, "not_file": {"shift"}, "void": {"shift"},
    "decide_extension": {"shift"}, "decide_suspension": {"shift"}, "resume": {"shift"},
    "escalate": {"shift"},
    "dispatch": {"dispatcher"},
    "claim": {"handler", "dept_admin"}, "return": {"handler", "dept_admin"},
    "request_extension": {"handler", "dept_admin"},
    "request_suspension": {"handler", "dept_admin"},
    "complete": {"handler", "dept_admin"},
    "verify": {"worker", "chief"},
    "resolve_on_spot": {"worker"},
    "supervise": {"leader", "district_leader"},
    "evaluate": {"worker", "clerk"},  # the reporter (worker) or a clerk
    "release_held": {"clerk", "shift"},
}
# Which roles exist at all for the action (a person without any of them: PermissionDenied
# before the state is looked at).
HOLDS_ROLE = {
    **MAY,
    "claim": {"handler", "dept_admin", "worker", "worker2", "chief", "rural_worker"},
    "return": {"handler", "dept_admin", "worker", "worker2", "chief", "rural_worker"},
    "request_extension": {"handler", "dept_admin", "worker", "worker2", "chief",
                          "rural_worker"},
    "request_suspension": {"handler", "dept_admin", "worker", "worker2", "chief",
                           "rural_worker"},
    "complete": {"handler", "dept_admin", "worker", "worker2", "chief", "rural_worker"},
    "verify": {"worker", "worker2", "chief", "rural_worker"},
    "resolve_on_spot": {"worker", "worker2", "rural_worker"},
    "supervise": {"leader", "district_leader"},
    "evaluate": set(),  # anyone may try; only the reporter or a clerk of the area succeeds
}
WHO = sorted([
    "worker", "worker2", "rural_worker", "chief", "instructor", "clerk", "shift", "dispatcher",
    "leader", "district_leader", "handler", "dept_admin", "data_officer", "sys_admin"])
MAIN_PATH = {"register", "file", "dispatch", "claim", "complete", "verify", "evaluate",
             "release_held", "decide_extension", "decide_suspension", "resume"}


def expected_state(action, state, args):
    """The model: the state after a successful action."""
    table = {
        "register": S.REGISTERED, "file": S.FILED, "not_file": S.NOT_FILED, "void": S.VOID,
        "dispatch": S.DISPATCHED, "claim": S.IN_PROGRESS, "return": S.FILED,
        "complete": S.COMPLETED, "resolve_on_spot": S.COMPLETED, "resume": S.FILED,
    }
    if action in table:
        return table[action]
    if action == "verify":
        return S.CLOSED if args["passed"] else S.IN_PROGRESS
    if action == "decide_suspension":
        return S.SUSPENDED if args["approve"] else state
    if action == "release_held":
        return S.REPORTED if args["approve"] else S.VOID
    return state


class EventMachine(RuleBasedStateMachine):
    p = None

    def __init__(self):
        super().__init__()
        self.event = new_event(self.p, hold=False)
        self.state = S.REPORTED
        self.version = 1
        self.pending = set()
        self.level = 0
        self.supervised = False
        self.evaluated = False

    def _allowed_now(self, action, who):
        t = TRANSITIONS[action]
        if self.state not in t.sources:
            return False
        if action == "claim" or action in ("return", "complete", "request_extension",
                                           "request_suspension"):
            return who in ({"handler", "dept_admin"} if self.department else {"worker", "chief"})
        return who in MAY[action]

    @property
    def department(self):
        return Event.objects.filter(pk=self.event.pk).values_list(
            "department_id", flat=True).get()

    def _precondition(self, action):
        if action in ("decide_extension", "decide_suspension"):
            return action.split("_")[1] in self.pending
        if action in ("request_extension", "request_suspension"):
            return action.split("_")[1] not in self.pending
        if action == "escalate":
            return self.level < 2
        if action == "supervise":
            return not self.supervised
        if action == "evaluate":
            return not self.evaluated
        return True

    @rule(action=st.sampled_from(sorted(MAY)), who=st.sampled_from(WHO),
          flag=st.booleans())
    def act_by_anyone(self, action, who, flag):
        self.act(action, who, flag)

    def act(self, action, who, flag):
        args = {}
        if action == "verify":
            args = {"passed": flag, "remark": "核查"}
        elif action in ("decide_extension", "decide_suspension", "release_held"):
            args = {"approve": flag, "remark": "意见"}
        elif action == "dispatch" and flag:
            args = {"grid": True}
        holds = who in HOLDS_ROLE[action] or action == "evaluate"
        allowed = self._allowed_now(action, who)
        current = Event.objects.get(pk=self.event.pk)
        offered = action in {t.action for t in available_actions(current, self.p[who])}
        try:
            if action == "dispatch" and args.get("grid"):
                moved = actions.dispatch_event(self.event, grid=True, actor=self.p[who])
            else:
                moved = call(action, self.event, self.p, actor=self.p[who], **args)
        except PermissionDenied:
            assert not allowed, (action, who, self.state)
            assert not offered, (action, who, self.state)
            return
        except actions.Conflict:
            assert holds, (action, who)
            assert self.state not in TRANSITIONS[action].sources or not self._precondition(
                action), (action, who, self.state)
            assert not offered, (action, who, self.state)
            return
        assert allowed and self._precondition(action), (action, who, self.state)
        # What the detail page offers is exactly what the action lets through.
        assert offered, (action, who, self.state)
        new = expected_state(action, self.state, args)
        assert moved.state == new, (action, self.state, moved.state)
        handling = TRANSITIONS["decide_extension"].sources
        if self.state in handling and new not in handling:
            self.pending.clear()  # undecided requests lapse when the case leaves handling
        self.state = new
        self.version += 1
        kind = action.split("_")[1] if "_" in action else ""
        if action.startswith("request_"):
            self.pending.add(kind)
        elif action.startswith("decide_"):
            self.pending.discard(kind)
        if action == "escalate":
            self.level += 1
        if action == "supervise":
            self.supervised = True
        if action == "evaluate":
            self.evaluated = True

    @rule(pick=st.integers(min_value=0, max_value=10_000), flag=st.booleans())
    def act_as_the_right_person(self, pick, flag):
        """Mostly moves the event on: an action open in this state, by someone entitled."""
        options = [(a, w) for a in sorted(MAY) for w in sorted(MAY[a])
                   if self.state in TRANSITIONS[a].sources]
        main = [(a, w) for a, w in options if a in MAIN_PATH]
        if main and pick % 3:
            options = main  # two times in three, follow the main path of the loop
        if options:
            action, who = options[pick % len(options)]
            self.act(action, who, flag)

    @invariant()
    def stored_matches_model(self):
        stored = Event.objects.get(pk=self.event.pk)
        assert stored.state == self.state
        assert stored.version == self.version
        assert AuditRecord.objects.filter(
            chain_key=f"events.event:{self.event.pk}").count() == self.version
        assert stored.steps.count() == self.version


def test_random_action_sequences_follow_the_table(db):
    EventMachine.p = people()
    # derandomize: the same sequences on every run (a seed derived from the test, not from
    # the clock); database=None: no replay of examples saved by an earlier, different run.
    run_state_machine_as_test(EventMachine, settings=settings(
        max_examples=25, stateful_step_count=25, deadline=None, derandomize=True,
        database=None, suppress_health_check=list(HealthCheck)))


# --- coverage by construction ---------------------------------------------------------------

# A report enters the loop as reported, or as held when it needs review first.
ENTRY_STATES = (S.REPORTED, S.HELD)
# The argument that picks an action's outcome where it has several (the rest: call()'s own).
BRANCH = {
    ("verify", S.CLOSED): {"passed": True},
    ("verify", S.IN_PROGRESS): {"passed": False, "remark": "未整改到位"},
    ("decide_suspension", S.SUSPENDED): {"approve": True},
    ("decide_suspension", None): {"approve": False, "remark": "继续处置"},
    ("decide_extension", None): {"approve": True},
    ("release_held", S.REPORTED): {"approve": True},
    ("release_held", S.VOID): {"approve": False, "remark": "无效信息"},
}


def _edges():
    """Every row of the table as (source, action, target); ``None``: the state stays."""
    return sorted(
        ((source, t.action, target) for t in TRANSITIONS.values()
         for source in t.sources for target in t.targets),
        key=lambda e: (e[0], e[1], e[2] or ""))


def _shortest_paths(*, avoid=()):
    """From the entry states, the shortest walk (a list of edges) to each reachable state:
    breadth first over the table, in a fixed order, so the walks are the same every run.
    ``avoid``: actions the walks must not use."""
    paths = {state: (state, []) for state in ENTRY_STATES}
    frontier = list(ENTRY_STATES)
    while frontier:
        following = []
        for state in frontier:
            start, walk = paths[state]
            for source, action, target in _edges():
                if (source == state and target is not None and target not in paths
                        and action not in avoid):
                    paths[target] = (start, [*walk, (source, action, target)])
                    following.append(target)
        frontier = following
    return paths


EDGES = _edges()
# Two routes through the loop: the shortest (a case the grid worker solved on the spot and
# then handles in the grid: 属地管理) and one where the case goes to a department.
ROUTES = {"grid": _shortest_paths(), "department": _shortest_paths(avoid={"resolve_on_spot"})}
PATHS = ROUTES["grid"]
HANDLER_ACTIONS = {"claim", "return", "complete", "request_extension", "request_suspension"}


def _actor(action, event, p):
    """Someone the table entitles to take ``action`` on ``event``."""
    if action in HANDLER_ACTIONS:
        # The handler: the department it was dispatched to, else the grid (属地管理).
        dispatched_to = Event.objects.filter(pk=event.pk).values_list(
            "department_id", flat=True).get()
        return p["handler"] if dispatched_to else p["worker"]
    if action in ("verify", "evaluate", "resolve_on_spot"):
        return p["worker"]  # the grid worker who reported it, in their own grid
    return p[sorted(MAY.get(action, {"clerk"}))[0]]  # merge: the clerk


def _take(event, p, source, action, target):
    """Take one edge as someone entitled to it, after checking the detail page offers it to
    them; returns the event afterwards."""
    if action.startswith("decide_"):
        # The precondition beyond the state: a pending request, by the case's handler.
        request = action.replace("decide_", "request_")
        event = call(request, event, p, actor=_actor(request, event, p))
    actor = _actor(action, event, p)
    offered = {t.action for t in available_actions(event, actor, exclude=())}
    assert action in offered, (source, action, actor.username, sorted(offered))
    if action == "merge":
        primary = new_event(p)
        actions.merge_events(primary, [event], actor=actor)
        event.refresh_from_db()
        return event
    version = event.version
    moved = call(action, event, p, actor=actor, **BRANCH.get((action, target), {}))
    assert moved.version == version + 1
    return moved


def _walk_to(state, p, route="grid"):
    start, walk = ROUTES[route][state]
    event = new_event(p, hold=start == S.HELD)
    assert event.state == start
    for edge in walk:
        event = _take(event, p, *edge)
        assert event.state == edge[2], (edge, event.state)
    return event


def test_every_state_is_reachable_from_a_report():
    """The table leaves no state stranded: each is an entry state or some row's target, on
    either route."""
    assert set(ROUTES["grid"]) == set(State)
    assert set(ROUTES["department"]) == set(State)


# Each (route, state) once: where both routes walk the same way, one of them is enough.
WALKS = sorted({(route, state) for route, paths in ROUTES.items() for state in paths
                if route == "grid" or paths[state] != ROUTES["grid"][state]})


@pytest.mark.parametrize("route,state", WALKS, ids=[f"{r}-{s}" for r, s in WALKS])
def test_an_explicit_walk_reaches_each_state(route, state):
    p = people()
    event = _walk_to(state, p, route)
    stored = Event.objects.get(pk=event.pk)
    assert stored.state == state
    assert stored.steps.count() == stored.version
    assert AuditRecord.objects.filter(
        chain_key=f"events.event:{event.pk}").count() == stored.version


ROWS = sorted({(route, *edge) for route, state in WALKS for edge in EDGES if edge[0] == state},
              key=lambda r: (r[0], r[1], r[2], r[3] or ""))


@pytest.mark.parametrize("route,source,action,target", ROWS,
                         ids=[f"{r}-{s}-{a}-{t or 'same'}" for r, s, a, t in ROWS])
def test_each_row_of_the_table_does_what_it_says(route, source, action, target):
    """Reach ``source`` on its explicit walk, take ``action`` as someone entitled to it, and
    land in ``target`` (or stay, for an action that does not move the state)."""
    p = people()
    event = _walk_to(source, p, route)
    moved = _take(event, p, source, action, target)
    assert moved.state == (source if target is None else target)
    assert Event.objects.get(pk=event.pk).state == moved.state
