"""首页's 待办, the command room and 部门待办 count the open cases only (issue 16, item 5).

Each page shows the same numbers as the former whole-scope computation
(``queue_matrix.reference_counts``) on the demo district with the matrix of edge cases and a
few cases walked through the real actions (returned, suspended, overdue at the department,
pending requests), and runs a fixed number of queries whatever the history holds: closed
cases added to the history change neither a count nor the number of queries.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.events import actions, queues
from gridgov.events.choices import State
from gridgov.events.models import Event
from gridgov.events.tests.helpers_command import make_event, make_overdue
from gridgov.events.tests.queue_matrix import build_matrix, reference_counts
from gridgov.stats.tests.support import event as history_event

pytestmark = pytest.mark.django_db

HOME = "/"
COMMAND = "/events/command/"
DEPARTMENT = "/events/department/"
# 待办 item key → (room, queue key), as ``events.shell`` names them.
HOME_ITEMS = {
    **{f"events.{q.key}": (queues.COMMAND_ROOM, q.key) for q in queues.COMMAND_ROOM.queues},
    **{f"events.department.{q.key}": (queues.DEPARTMENT, q.key)
       for q in queues.DEPARTMENT.queues},
    "events.to_verify": (queues.GRID, "to_verify"),
    "events.grid_tasks": (queues.GRID, "grid_tasks"),
}


@pytest.fixture
def cases(grid_worker, dept_handler, gulou_grid):
    """The matrix, plus cases the real actions put in the states that matter at a
    department: returned by it, suspended on its request, overdue in its hands, and one
    with an extension request pending."""
    build_matrix(grid_worker, dept_handler)
    returned = make_event(gulou_grid, state=State.DISPATCHED)
    actions.return_event(returned, reason="不属于本部门职责", actor=None)
    suspended = make_event(gulou_grid, state=State.IN_PROGRESS)
    suspended = actions.request_suspension(suspended, reason="需要协调", actor=None)
    actions.decide_suspension(suspended, approve=True, actor=None)
    make_overdue(make_event(gulou_grid, state=State.IN_PROGRESS))
    pending = make_event(gulou_grid, state=State.IN_PROGRESS)
    actions.request_extension(pending, days=2, reason="材料未齐", actor=None)


def add_history(grid, n=40):
    """Closed (and void) cases of past years in ``grid``, touching no open queue."""
    now = timezone.now()
    rows = [history_event(grid, now.replace(year=now.year - 1 - i % 3),
                          state=State.CLOSED if i % 4 else State.VOID,
                          closed_after=5 if i % 4 else None)
            for i in range(n)]
    for row in rows:
        row.supervised = True  # a closed supervised case is in no queue
    Event.objects.bulk_create(rows)


def home_counts(response) -> dict[str, int]:
    return {item.key: item.count for item in response.context["work"]
            if item.key in HOME_ITEMS}


def expected_home(user) -> dict[str, int]:
    """The home page's 待办 of the events, from the former computation (zero counts are not
    shown)."""
    now = timezone.now()
    out = {}
    for key, (room, queue) in HOME_ITEMS.items():
        value = reference_counts(user, room, now).get(queue)
        if value:
            out[key] = value
    return out


@pytest.mark.parametrize("role", ["dispatcher", "shift_leader", "intake_clerk", "leader",
                                  "district_leader", "dept_handler", "grid_worker",
                                  "grid_chief"])
def test_home_counts_equal_the_former_ones(role, cases, client_as, request):
    user = request.getfixturevalue(role)
    counts = home_counts(client_as(user).get(HOME))
    expected = expected_home(user)
    # Only the items the role is told of (the dispatcher is not told of 待审核, …).
    assert counts == {key: expected[key] for key in counts}
    assert counts, "the role is told of some queue"


@pytest.mark.parametrize("role,path,room", [
    ("dispatcher", COMMAND, queues.COMMAND_ROOM),
    ("shift_leader", COMMAND, queues.COMMAND_ROOM),
    ("district_leader", COMMAND, queues.COMMAND_ROOM),
    ("dept_handler", DEPARTMENT, queues.DEPARTMENT),
])
def test_queue_tabs_and_lists_equal_the_former_ones(role, path, room, cases, client_as,
                                                    request):
    user = request.getfixturevalue(role)
    client = client_as(user)
    response = client.get(path)
    tabs = {tab["key"]: tab["count"] for tab in response.context["queues"]}
    assert tabs == reference_counts(user, room, timezone.now())
    for key, count in tabs.items():
        listed = client.get(path, {"queue": key})
        assert listed.context["page_obj"].paginator.count == count, key


@pytest.mark.parametrize("role,path", [
    ("dispatcher", HOME), ("leader", HOME), ("district_leader", HOME), ("dept_handler", HOME),
    ("grid_worker", HOME), ("shift_leader", COMMAND), ("district_leader", COMMAND),
    ("dept_handler", DEPARTMENT),
])
def test_history_changes_neither_counts_nor_queries(role, path, cases, client_as, request,
                                                    gulou_grid, django_assert_max_num_queries):
    user = request.getfixturevalue(role)
    client = client_as(user)
    client.get(path)  # warm up: session, caches
    with django_assert_max_num_queries(20) as first:
        before = client.get(path)
    add_history(gulou_grid)
    with django_assert_max_num_queries(len(first.captured_queries)):
        after = client.get(path)
    if path == HOME:
        assert home_counts(after) == home_counts(before)
    else:
        assert after.context["queues"] == before.context["queues"]


def test_the_department_home_reaches_the_department_items(cases, client_as, dept_handler):
    counts = home_counts(client_as(dept_handler).get(reverse("web:home")))
    assert counts.get("events.department.overdue")
    assert counts.get("events.department.handling")
