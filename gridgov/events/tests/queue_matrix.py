"""Test support: a matrix of queue edge cases and the former whole-scope queue counts.

Used by ``test_queue_counts_open.py`` and ``web/tests/test_home_counts_open.py`` to check that
the queue counts bounded to the open cases give the same numbers as before.
"""

import datetime as dt
import itertools

from django.db.models import Count
from django.utils import timezone

from gridgov.accounts.models import Department
from gridgov.areas.models import Area
from gridgov.core.access import get_scope
from gridgov.events import queues
from gridgov.events.choices import RequestKind, RequestStatus, State
from gridgov.events.models import Event, EventRequest

H = dt.timedelta(hours=1)
GRIDS = ("330203005001001", "330203005001002", "330203101201001")
# name: (deadline from now, stage started before now); None: no deadline.
DEADLINES = {
    "none": None,
    "overdue": (-2 * H, 10 * H),
    "due_soon_fifth": (H, 9 * H),
    "due_soon_fixed": (dt.timedelta(minutes=20), None),
    "on_time": (20 * H, H),
}
ROLES = ("dispatcher", "shift_leader", "intake_clerk", "leader", "district_leader",
         "dept_handler", "grid_worker", "grid_chief", "grid_instructor")


def build_matrix(grid_worker, dept_handler) -> list[Event]:
    """Every state × deadline × supervised × department × reporter, in three grids (two in
    鼓楼, one in 高桥), with pending requests on some of them."""
    now = timezone.now()
    grids = list(Area.objects.filter(code__in=GRIDS).order_by("code"))
    other = Department.objects.exclude(pk=dept_handler.department_id).order_by("code").first()
    departments = (dept_handler.department, other, None)
    rows = []
    combos = itertools.product(State, DEADLINES.items(), (False, True), departments,
                               (None, grid_worker))
    for n, (state, (_name, deadline), supervised, department, reporter) in enumerate(combos):
        grid = grids[(n + n // 6) % len(grids)]  # not in step with the other factors
        left, started = deadline or (None, None)
        rows.append(Event(
            number=f"Q{n:09d}", source="grid_patrol", state=state, description="队列计数",
            lng=grid.centroid_lng, lat=grid.centroid_lat, grid=grid, area_code=grid.code,
            department=department, reporter_user=reporter, supervised=supervised,
            stage_deadline=now + left if left is not None else None,
            stage_started_at=now - started if started is not None else None,
            created_at=now - dt.timedelta(days=n % 400), closed_at=(
                now if state == State.CLOSED else None)))
    events = Event.objects.bulk_create(rows)
    requests = []
    for i, event in enumerate(events):
        if i % 3 == 0:
            requests.append(EventRequest(
                event=event, kind=(RequestKind.EXTENSION, RequestKind.SUSPENSION)[i % 2],
                status=RequestStatus.PENDING, days=2, reason="需要协调",
                from_state=State.IN_PROGRESS))
    EventRequest.objects.bulk_create(requests)
    return events


def reference_counts(user, room, now) -> dict[str, int]:
    """The former computation: every case in scope, one FILTER per queue, no bound."""
    scope = get_scope(user)
    if scope is None or not scope.can(*room.permission):
        return {}
    return Event.objects.restrict(user).aggregate(**{
        q.key: Count("pk", filter=queues.queue_q(q.key, scope, now, room))
        for q in room.visible(scope)})


def reference_ids(user, key, room, now) -> set[int]:
    """The former rows of one queue: every case in scope through the queue's filter."""
    scope = get_scope(user)
    return set(Event.objects.restrict(user).filter(queues.queue_q(key, scope, now, room))
               .values_list("pk", flat=True))
