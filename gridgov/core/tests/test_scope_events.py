"""The role × scope matrix for events and notifications, end to end on the demo's seeded
events: each demo role gets 200 for an event in its scope and 404 (exactly like a missing one)
for the rest, on the API and on the page.

The expectations follow the rules of ``Event.restrict_q``:

- grid roles see the events of their grids (grid worker: one grid; grid chief and instructor:
  their community);
- the command room (受理员, 值班长, 派遣员) and leaders see every event of their area;
- department roles (处置员, 部门管理员, 数据专员) see the events dispatched to their own
  department, now or at an earlier step;
- anyone sees what they reported themselves;
- the three administrators see no event at all.

A notification is personal: only its recipient reads it, whatever their role.
"""

import pytest

from gridgov.accounts.models import Department
from gridgov.events.models import Event, EventStep
from gridgov.notifications import actions as notification_actions
from gridgov.notifications.choices import Kind

pytestmark = pytest.mark.django_db

# Target events, by name (resolved from the demo's idempotency keys in ``events``).
OWN_GRID = "own_grid"        # demo-event-01: gw_gulou's grid, reported by gw_gulou
SIBLING_GRID = "sibling"     # demo-event-02: gw_gulou2's grid, a hotline report
DISPATCHED = "dispatched"    # demo-event-12: a fourth grid of the community, sent to 执法局
GAOQIAO = "gaoqiao"          # demo-event-03: gw_gaoqiao's grid in 高桥镇, reported by them

TARGET_KEYS = {OWN_GRID: "demo-event-01", SIBLING_GRID: "demo-event-02",
               DISPATCHED: "demo-event-12", GAOQIAO: "demo-event-03"}

# All three 鼓楼 targets lie in gw_gulou's community (330203005001), so the community-wide
# and the street-wide roles see the same targets; 高桥镇 tells the street apart.
GULOU_COMMUNITY_WIDE = {OWN_GRID, SIBLING_GRID, DISPATCHED}
GULOU_STREET_WIDE = {OWN_GRID, SIBLING_GRID, DISPATCHED}

# role fixture -> the targets it may see (everything else must be 404)
MATRIX = {
    # Grid roles: their grids only (and their own reports, which lie in those grids).
    "grid_worker": {OWN_GRID},
    "grid_worker2": {SIBLING_GRID},
    "rural_grid_worker": {GAOQIAO},
    "grid_chief": GULOU_COMMUNITY_WIDE,
    "grid_instructor": GULOU_COMMUNITY_WIDE,
    # Command room and leaders of 鼓楼街道: the street, not 高桥镇.
    "intake_clerk": GULOU_STREET_WIDE,
    "shift_leader": GULOU_STREET_WIDE,
    "dispatcher": GULOU_STREET_WIDE,
    "leader": GULOU_STREET_WIDE,
    # The district leader: the whole district.
    "district_leader": {OWN_GRID, SIBLING_GRID, DISPATCHED, GAOQIAO},
    # 区综合行政执法局 (D034): only what was dispatched to it.
    "dept_handler": {DISPATCHED},
    "dept_admin": {DISPATCHED},
    # 区民政局 (D016): none of the targets was ever dispatched to it.
    "data_officer": set(),
    # Separated duties: no events at all.
    "sys_admin": set(),
    "sec_admin": set(),
    "audit_admin": set(),
}

MISSING_ID = 999_999_999


@pytest.fixture
def events():
    """The target events of the seeded demo, by name."""
    return {name: Event.objects.select_related("department", "reporter_user")
            .get(idempotency_key=key) for name, key in TARGET_KEYS.items()}


def _step_departments(event):
    return set(EventStep.objects.filter(event=event, department__isnull=False)
               .values_list("department__code", flat=True))


def test_demo_events_are_where_the_matrix_says(events):
    """The preconditions the expectations rest on (if the demo changes, fix MATRIX too)."""
    own, sibling, dispatched, gaoqiao = (events[n] for n in (OWN_GRID, SIBLING_GRID,
                                                             DISPATCHED, GAOQIAO))
    assert own.area_code == "330203005001001"
    assert sibling.area_code == "330203005001002"
    # In the community of gw_gulou but neither gw_gulou's nor gw_gulou2's grid.
    assert dispatched.area_code.startswith("330203005001")
    assert dispatched.area_code not in (own.area_code, sibling.area_code)
    assert gaoqiao.area_code == "330203101201001"
    # Departments: only the dispatched target ever went to D034, none to D016.
    assert dispatched.department.code == "D034" and _step_departments(dispatched) == {"D034"}
    for event in (own, sibling, gaoqiao):
        assert event.department_id is None and not _step_departments(event)
    assert Department.objects.filter(code="D016").exists()
    # Reporters: only gw_gulou and gw_gaoqiao reported a target, each in their own grid.
    assert own.reporter_user.username == "gw_gulou"
    assert sibling.reporter_user is None and dispatched.reporter_user is None
    assert gaoqiao.reporter_user.username == "gw_gaoqiao"


def test_matrix_covers_every_demo_role():
    roles = {"grid_worker", "grid_worker2", "rural_grid_worker", "grid_chief",
             "grid_instructor", "intake_clerk", "shift_leader", "dispatcher", "leader",
             "district_leader", "dept_handler", "dept_admin", "data_officer", "sys_admin",
             "sec_admin", "audit_admin"}
    assert set(MATRIX) == roles


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_event_api_detail_matrix(request, api_as, events, role):
    api = api_as(request.getfixturevalue(role))
    for name, event in events.items():
        expected = 200 if name in MATRIX[role] else 404
        response = api.get(f"/api/events/{event.pk}/")
        assert response.status_code == expected, (role, name, event.area_code)
    assert api.get(f"/api/events/{MISSING_ID}/").status_code == 404


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_event_page_detail_matrix(request, client_as, events, role):
    client = client_as(request.getfixturevalue(role))
    for name, event in events.items():
        expected = 200 if name in MATRIX[role] else 404
        response = client.get(f"/events/{event.pk}/")
        assert response.status_code == expected, (role, name, event.area_code)
    assert client.get(f"/events/{MISSING_ID}/").status_code == 404


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_event_api_list_matrix(request, api_as, events, role):
    """The list agrees with the detail: visible targets listed, the others absent."""
    api = api_as(request.getfixturevalue(role))
    listed, params = set(), {"limit": 1000, "offset": 0}
    while True:
        response = api.get("/api/events/", params)
        assert response.status_code == 200, (role, response.status_code)
        body = response.json()
        listed |= {row["id"] for row in body["results"]}
        if not body["next"]:
            break
        params["offset"] += params["limit"]
    for name, event in events.items():
        assert (event.pk in listed) is (name in MATRIX[role]), (role, name)


def test_anonymous_is_refused_events(client, events):
    event = events[OWN_GRID]
    assert client.get(f"/api/events/{event.pk}/").status_code in (401, 403)
    response = client.get(f"/events/{event.pk}/")
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


# --- notifications ------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_notification_is_its_recipients_only(request, api_as, grid_worker2, role):
    user = request.getfixturevalue(role)
    # Someone else's: gw_gulou2's, or gw_gulou's when the role under test is gw_gulou2.
    other = grid_worker2 if user.pk != grid_worker2.pk else request.getfixturevalue(
        "grid_worker")
    mine, = notification_actions.notify([user], kind=Kind.OTHER, text="矩阵:本人")
    theirs, = notification_actions.notify([other], kind=Kind.OTHER, text="矩阵:他人")
    api = api_as(user)
    response = api.get(f"/api/notifications/{mine.pk}/")
    assert response.status_code == 200, role
    assert response.json()["text"] == "矩阵:本人"
    assert api.get(f"/api/notifications/{theirs.pk}/").status_code == 404, role
    assert api.get(f"/api/notifications/{MISSING_ID}/").status_code == 404
    # Marking read is no way around it either; the other's row stays unread.
    assert api.post(f"/api/notifications/{theirs.pk}/read/").status_code == 404, role
    theirs.refresh_from_db()
    assert theirs.read_at is None
    listed = {row["id"] for row in api.get("/api/notifications/", {"limit": 1000})
              .json()["results"]}
    assert mine.pk in listed and theirs.pk not in listed
