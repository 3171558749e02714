"""One due-soon rule: queue counts, row badges and map colours agree (issue 8).

Events are placed just inside and just outside the due-soon window by both of its arms (the
stage's last fifth and the fixed last 30 minutes) and past their deadline; the command room's
counts, the badges on its rows, the map's colours and ``queues`` all say the same.
"""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.events import queues
from gridgov.events.choices import DeadlineStatus, State
from gridgov.events.models import Event
from gridgov.events.tests.helpers_command import make_event
from gridgov.events.views.live_map import DUE_SOON_COLOR, OVERDUE_COLOR, STATE_COLORS

pytestmark = pytest.mark.django_db
COMMAND = "/events/command/"
GEOJSON = "/events/command/map/events.geojson"
H, M = dt.timedelta(hours=1), dt.timedelta(minutes=1)

# name: (stage started before now, deadline after now, expected mark). A 10-hour stage has a
# 2-hour due-soon window (its fifth); without a start only the fixed 30 minutes apply.
PLACED = {
    "fifth_inside": (8 * H, 2 * H - 5 * M, DeadlineStatus.DUE_SOON),
    "fifth_outside": (8 * H, 2 * H + 5 * M, DeadlineStatus.ON_TIME),
    "fixed_inside": (None, 25 * M, DeadlineStatus.DUE_SOON),
    "fixed_outside": (None, 35 * M, DeadlineStatus.ON_TIME),
    "short_stage_fixed_inside": (20 * M, 25 * M, DeadlineStatus.DUE_SOON),
    "just_overdue": (H, -M, DeadlineStatus.OVERDUE),
    "long_overdue": (30 * H, -5 * H, DeadlineStatus.OVERDUE),
}


@pytest.fixture
def placed(gulou_grid):
    now = timezone.now()
    out = {}
    for name, (started, left, expected) in PLACED.items():
        event = make_event(gulou_grid, description=f"时限 {name}")
        Event.objects.filter(pk=event.pk).update(
            stage_deadline=now + left, stage_started_at=now - started if started else None)
        out[name] = (Event.objects.get(pk=event.pk), expected)
    return out


def _marks_of_rows(response):
    return {row["event"].number: row["deadline"] for row in response.context["rows"]}


def test_counts_badges_and_colours_agree(client_as, dispatcher, placed):
    client = client_as(dispatcher)
    numbers = {event.number: expected for event, expected in placed.values()}
    # The instance says what the fixture meant.
    for event, expected in placed.values():
        assert event.deadline_status() == expected, event.description

    # Row badges: every placed event is new (reported), so the "new" queue lists them all.
    page = client.get(COMMAND, {"queue": "new", "q": "时限"})
    assert _marks_of_rows(page) == numbers

    # The deadline queues list exactly the events marked so, and count what they list.
    counts = {q["key"]: q["count"] for q in page.context["queues"]}
    for key, mark in (("due_soon", DeadlineStatus.DUE_SOON), ("overdue", DeadlineStatus.OVERDUE)):
        listed = client.get(COMMAND, {"queue": key})
        rows = _marks_of_rows(listed)
        assert set(rows.values()) <= {mark}
        assert {n for n, m in numbers.items() if m == mark} <= set(rows)
        assert not {n for n, m in numbers.items() if m != mark} & set(rows)
        assert counts[key] == listed.context["page_obj"].paginator.count
        assert counts[key] == queues.queue_queryset(key, dispatcher).count()
        assert queues.counts(dispatcher)[key] == counts[key]

    # Map colours: due soon amber, overdue red, else the state's colour; the map's totals of
    # each mark are the queue counts (the same events in scope, all open).
    features = client.get(GEOJSON).json()["features"]
    by_number = {f["properties"]["number"]: f["properties"] for f in features}
    colours = {DeadlineStatus.DUE_SOON: DUE_SOON_COLOR, DeadlineStatus.OVERDUE: OVERDUE_COLOR,
               DeadlineStatus.ON_TIME: STATE_COLORS[State.REPORTED]}
    for number, expected in numbers.items():
        assert by_number[number]["deadline"] == expected
        assert by_number[number]["color"] == colours[expected]
    for key in ("due_soon", "overdue"):
        assert sum(f["properties"]["deadline"] == key for f in features) == counts[key]


def test_the_event_filter_uses_the_same_rule(client_as, dispatcher, placed):
    due = {e.number for e, m in placed.values() if m == DeadlineStatus.DUE_SOON}
    response = client_as(dispatcher).get(COMMAND, {"queue": "new", "deadline": "due_soon",
                                                   "q": "时限"})
    assert set(_marks_of_rows(response)) == due


def test_queue_api_is_scoped_and_by_permission(dispatcher, grid_worker, dept_handler, placed):
    # A grid worker does not use the command room: no counts, no rows.
    assert queues.counts(grid_worker) == {}
    assert not queues.queue_queryset("due_soon", grid_worker).exists()
    # The decisions queue is only for those who decide.
    assert "decisions" not in queues.counts(dispatcher)
    assert set(queues.counts(dept_handler, room=queues.DEPARTMENT)) == {
        "to_claim", "handling", "overdue"}
    with pytest.raises(Exception, match="没有这个队列"):
        queues.queue_queryset("nonsense", dispatcher)


def test_counts_are_one_query(dispatcher, placed, django_assert_num_queries):
    from gridgov.core.access import get_scope

    get_scope(dispatcher)  # resolved once per request by the middleware
    with django_assert_num_queries(1):
        queues.counts(dispatcher)


@pytest.mark.parametrize("path", ["/events/department/", "/events/mine/"])
def test_role_lists_query_count_is_constant(client_as, path, dept_handler, grid_worker,
                                            gulou_grid, django_assert_max_num_queries):
    from gridgov.events.tests.helpers_command import make_overdue

    user = dept_handler if path == "/events/department/" else grid_worker
    state = State.DISPATCHED if user is dept_handler else State.COMPLETED
    client = client_as(user)
    make_overdue(make_event(gulou_grid, state=state))
    client.get(path)
    with django_assert_max_num_queries(50) as few:
        client.get(path, {"queue": "overdue"} if user is dept_handler else {})
    for _ in range(5):
        make_overdue(make_event(gulou_grid, state=state))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(path, {"queue": "overdue"} if user is dept_handler else {})
    assert len(response.context["rows"]) >= 6
