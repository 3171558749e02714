"""A hypothesis state machine drives random action sequences by random people against the
workflow table: the model below is written independently of ``workflow.py``'s helpers, and
every step checks the outcome (new state, PermissionDenied or Conflict), the version and
the audit chain."""

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from gridgov.audit.models import AuditRecord
from gridgov.events import actions
from gridgov.events.choices import State
from gridgov.events.models import Event
from gridgov.events.workflow import TRANSITIONS

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
SEEN = set()
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
        try:
            if action == "dispatch" and args.get("grid"):
                moved = actions.dispatch_event(self.event, grid=True, actor=self.p[who])
            else:
                moved = call(action, self.event, self.p, actor=self.p[who], **args)
        except PermissionDenied:
            assert not allowed, (action, who, self.state)
            return
        except actions.Conflict:
            assert holds, (action, who)
            assert self.state not in TRANSITIONS[action].sources or not self._precondition(
                action), (action, who, self.state)
            return
        assert allowed and self._precondition(action), (action, who, self.state)
        new = expected_state(action, self.state, args)
        assert moved.state == new, (action, self.state, moved.state)
        handling = TRANSITIONS["decide_extension"].sources
        if self.state in handling and new not in handling:
            self.pending.clear()  # undecided requests lapse when the case leaves handling
        self.state = new
        self.version += 1
        SEEN.add(new)
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
    run_state_machine_as_test(EventMachine, settings=settings(
        max_examples=25, stateful_step_count=25, deadline=None,
        suppress_health_check=list(HealthCheck)))
    # The sequences reached deep into the loop, not only the first steps.
    assert {S.DISPATCHED, S.IN_PROGRESS, S.COMPLETED} <= SEEN
