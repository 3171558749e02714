"""Queue counts read only the open cases (issue 16, item 5), with the same numbers as before.

``queues.counts`` and ``queues.queue_queryset`` put the open-case condition (``open_q()``,
the condition of the partial indexes) in the WHERE of their query instead of counting every
case in scope with ``FILTER`` clauses. These tests build a matrix of edge cases (every state,
supervised or not, overdue, due soon, on time, no deadline, the handler's department or
another or the grid, pending requests still decidable or stale, reports of the grid worker
closed and open) on top of the demo district and compare, for every role and room, the
counts and rows with the former whole-scope computation, kept here as the reference.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.core.access import get_scope
from gridgov.events import queues
from gridgov.events.models import Event
from gridgov.events.open_cases import OPEN_STATES
from gridgov.events.tests.queue_matrix import (
    ROLES,
    build_matrix,
    reference_counts,
    reference_ids,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix(db, grid_worker, dept_handler):
    """The edge cases of ``queue_matrix.build_matrix``."""
    return build_matrix(grid_worker, dept_handler)



@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("room", list(queues.ROOMS))
def test_counts_equal_the_whole_scope_computation(role, room, matrix, request):
    user = request.getfixturevalue(role)
    room = queues.ROOMS[room]
    now = timezone.now()
    expected = reference_counts(user, room, now)
    assert queues.counts(user, now, room) == expected
    for key in expected:
        assert queues.counts(user, now, room, keys={key}) == {key: expected[key]}
        ids = set(queues.queue_queryset(key, user, now, room).values_list("pk", flat=True))
        assert ids == reference_ids(user, key, room, now), key
        assert len(ids) == expected[key]


def test_the_matrix_reaches_every_queue(matrix, dispatcher, shift_leader, dept_handler,
                                        grid_worker):
    # The comparison above means something only if each queue holds some of the matrix.
    now = timezone.now()
    found = {**queues.counts(shift_leader, now), **queues.counts(dispatcher, now),
             **{f"department.{k}": v
                for k, v in queues.counts(dept_handler, now, queues.DEPARTMENT).items()},
             **{f"grid.{k}": v for k, v in queues.counts(grid_worker, now, queues.GRID).items()}}
    assert all(found.values()), found
    assert {"decisions", "department.overdue", "grid.reported"} <= set(found)


def test_every_queue_but_history_holds_open_cases_only(matrix, dispatcher, shift_leader,
                                                       dept_handler, grid_worker):
    """The bound changes no count: no queue without ``history`` has a row in a final state
    even when its filter runs without the bound."""
    now = timezone.now()
    for user, room in ((shift_leader, queues.COMMAND_ROOM), (dept_handler, queues.DEPARTMENT),
                       (grid_worker, queues.GRID)):
        scope = get_scope(user)
        for queue in room.visible(scope):
            states = set(Event.objects.restrict(user)
                         .filter(queues.queue_q(queue.key, scope, now, room))
                         .values_list("state", flat=True))
            if queue.history:
                assert states - set(OPEN_STATES), queue.key  # the matrix has closed ones
            else:
                assert states <= set(OPEN_STATES), queue.key


@pytest.mark.parametrize("role,room", [("dispatcher", "command"),
                                       ("dept_handler", "department"),
                                       ("grid_worker", "grid")])
def test_the_count_query_is_bounded_to_open_cases(role, room, matrix, request):
    """One query whose WHERE (not only its FILTER clauses) holds the open states, so an
    open-case index can serve it."""
    user = request.getfixturevalue(role)
    get_scope(user)
    with CaptureQueriesContext(connection) as captured:
        queues.counts(user, room=queues.ROOMS[room])
    assert len(captured.captured_queries) == 1
    sql = captured.captured_queries[0]["sql"]
    where = sql[sql.index(" WHERE "):]
    assert "FILTER" not in where
    assert all(f"'{state}'" in where for state in OPEN_STATES)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
@pytest.mark.parametrize("role,room,index", [
    ("dispatcher", "command", "events_open_area_idx"),
    ("dept_handler", "department", "events_open_dept_idx"),
])
def test_postgresql_can_serve_the_counts_from_the_open_case_indexes(role, room, index, matrix,
                                                                    request):
    """With sequential scans priced out (the test database is too small for the planner to
    prefer an index by itself), the count's plan reads the partial index."""
    user = request.getfixturevalue(role)
    scope = get_scope(user)
    room = queues.ROOMS[room]
    now = timezone.now()
    qs = (Event.objects.restrict(user)
          .filter(queues.count_where(room, room.visible(scope), scope, now)).values("pk"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    assert index in plan
