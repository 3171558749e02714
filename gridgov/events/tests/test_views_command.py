"""The command room, the department handler's list and the grid worker's list."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from gridgov.accounts.actions import issue_api_key
from gridgov.accounts.models import Department
from gridgov.events import actions as ev
from gridgov.events.choices import State
from gridgov.events.models import Event, MinorCategory
from gridgov.events.tests.helpers_command import category, make_event, make_overdue, point_in
from gridgov.events.tests.workflow_support import photo

pytestmark = pytest.mark.django_db
COMMAND = "/events/command/"
DEPARTMENT = "/events/department/"
MINE = "/events/mine/"
GEOJSON = "/events/command/map/events.geojson"


def queue_counts(response):
    return {q["key"]: q["count"] for q in response.context["queues"]}


def listed(response):
    return [row["event"].number for row in response.context["rows"]]


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def loop(gulou_grid, gulou_grid2, other_street):
    """One event per command queue in 鼓楼, and one filed event in another street."""
    from gridgov.areas.models import Area

    elsewhere = Area.objects.filter(level="grid", code__startswith=other_street.code).first()
    supervised = make_event(gulou_grid, state=State.IN_PROGRESS)
    ev.supervise_event(supervised, remark="尽快", actor=None)
    return {
        "new": make_event(gulou_grid),
        "to_file": make_event(gulou_grid, state=State.REGISTERED),
        "to_dispatch": make_event(gulou_grid2, state=State.FILED),
        "overdue": make_overdue(make_event(gulou_grid, state=State.DISPATCHED)),
        "supervised": supervised,
        "elsewhere": make_event(elsewhere, state=State.FILED),
    }


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [COMMAND, DEPARTMENT, MINE, "/events/command/map/", GEOJSON])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("user_fixture, path", [
    ("grid_worker", COMMAND), ("dept_handler", COMMAND), ("sys_admin", COMMAND),
    ("intake_clerk", DEPARTMENT), ("grid_worker", DEPARTMENT),
    ("dept_handler", MINE), ("dispatcher", MINE), ("grid_worker", GEOJSON),
])
def test_other_roles_get_403(request, client_as, user_fixture, path):
    user = request.getfixturevalue(user_fixture)
    assert client_as(user).get(path).status_code == 403


# --- queues ---------------------------------------------------------------------------------


@pytest.mark.parametrize("user_fixture, default", [
    ("intake_clerk", "new"), ("shift_leader", "to_file"), ("dispatcher", "to_dispatch"),
    ("leader", "overdue"),
])
def test_each_role_opens_on_its_queue(request, client_as, loop, user_fixture, default):
    client = client_as(request.getfixturevalue(user_fixture))
    response = client.get(COMMAND)
    assert response.status_code == 200
    assert response.context["queue"] == default
    assert loop[default].number in listed(client.get(COMMAND, {"q": loop[default].number}))
    others = {e.number for k, e in loop.items() if k != default}
    assert not others & set(listed(response))


def test_counts_and_lists_stay_in_scope(client_as, dispatcher, gulou_grid, loop):
    client = client_as(dispatcher)
    before = queue_counts(client.get(COMMAND))
    held = ev.report_event(source="citizen", description="待审核", lng=point_in(gulou_grid)[0],
                           lat=point_in(gulou_grid)[1], hold_reason="命中词库")
    more = dict(loop, held=held)
    more.update({"new": make_event(gulou_grid),
                 "to_file": make_event(gulou_grid, state=State.REGISTERED),
                 "to_dispatch": make_event(gulou_grid, state=State.FILED),
                 "overdue": make_overdue(make_event(gulou_grid, state=State.DISPATCHED))})
    make_event(loop["elsewhere"].grid, state=State.FILED)  # out of scope: counts nothing
    ev.supervise_event(make_event(gulou_grid, state=State.IN_PROGRESS), remark="快",
                       actor=None)
    after = queue_counts(client.get(COMMAND))
    # Due soon: stages ending within the next half hour (the 30-minute register and dispatch
    # stages are due soon from the start).
    assert {k: after[k] - before[k] for k in after if k != "due_soon"} == {
        "held": 1, "new": 1, "to_file": 1, "to_dispatch": 1, "overdue": 1, "supervised": 1}
    assert after["due_soon"] - before["due_soon"] == 3
    response = client.get(COMMAND, {"queue": "to_dispatch"})
    assert loop["elsewhere"].number not in listed(response)
    assert all(n.startswith("E") for n in listed(response))
    assert {row["event"].state for row in response.context["rows"]} == {State.FILED}
    supervised = client.get(COMMAND, {"queue": "supervised"})
    assert loop["supervised"].number in listed(supervised)
    assert all(row["event"].supervised for row in supervised.context["rows"])
    assert more["held"].number in listed(client.get(COMMAND, {"queue": "held"}))
    assert client.get(COMMAND, {"queue": "bogus"}).status_code == 404


def test_district_leader_sees_every_street(client_as, district_leader, loop):
    response = client_as(district_leader).get(COMMAND, {"queue": "to_dispatch"})
    assert {loop["to_dispatch"].number, loop["elsewhere"].number} <= set(listed(response))


def test_overdue_rows_are_red(client_as, leader, loop):
    response = client_as(leader).get(COMMAND, {"queue": "overdue"})
    html = response.content.decode()
    assert f'class="gg-row-overdue" data-event="{loop["overdue"].pk}"' in html
    assert "已超期" in html


def test_filters_narrow_the_queue(client_as, dispatcher, loop, gulou_grid2):
    client = client_as(dispatcher)
    in_grid2 = client.get(COMMAND, {"queue": "to_dispatch", "within": gulou_grid2.code})
    assert loop["to_dispatch"].number in listed(in_grid2)
    assert {r["event"].area_code for r in in_grid2.context["rows"]} == {gulou_grid2.code}
    citizen = client.get(COMMAND, {"queue": "to_dispatch", "source": "citizen"})
    assert loop["to_dispatch"].number not in listed(citizen)
    assert {r["event"].source for r in citizen.context["rows"]} <= {"citizen"}
    assert listed(client.get(COMMAND, {"queue": "to_dispatch",
                                       "q": loop["to_dispatch"].number})) == [
        loop["to_dispatch"].number]
    bad = client.get(COMMAND, {"queue": "to_dispatch", "within": "abc"})
    assert listed(bad) == [] and "within" in bad.context["filter"].errors


def test_queue_page_query_count_is_constant(client_as, dispatcher, gulou_grid,
                                            django_assert_max_num_queries):
    make_event(gulou_grid, state=State.FILED)
    client = client_as(dispatcher)
    client.get(COMMAND)
    before = Event.objects.restrict(dispatcher).filter(state=State.FILED).count()
    for _ in range(12):
        make_event(gulou_grid, state=State.FILED)
    with django_assert_max_num_queries(14):
        response = client.get(COMMAND)
    assert len(response.context["rows"]) == min(50, before + 12)


# --- dispatch -------------------------------------------------------------------------------


def test_one_click_dispatch_to_the_default_department(client_as, dispatcher, loop):
    event = loop["to_dispatch"]
    response = client_as(dispatcher).post(f"{COMMAND}{event.pk}/dispatch/",
                                          {"version": event.version}, follow=True)
    event.refresh_from_db()
    assert event.state == State.DISPATCHED
    assert event.department.code == "D034"
    assert any("已派遣至区综合行政执法局" in m for m in messages_of(response))


def test_stale_version_reports_the_conflict(client_as, dispatcher, loop):
    event = loop["to_dispatch"]
    ev.dispatch_event(event, actor=None)
    response = client_as(dispatcher).post(f"{COMMAND}{event.pk}/dispatch/",
                                          {"version": event.version}, follow=True)
    assert any("已被他人处理" in m and "已派遣" in m for m in messages_of(response))


def test_only_dispatchers_dispatch(client_as, intake_clerk, loop):
    event = loop["to_dispatch"]
    assert client_as(intake_clerk).post(f"{COMMAND}{event.pk}/dispatch/").status_code == 403
    assert Event.objects.get(pk=event.pk).state == State.FILED


def test_dispatch_out_of_scope_is_404(client_as, dispatcher, loop):
    event = loop["elsewhere"]
    assert client_as(dispatcher).post(f"{COMMAND}{event.pk}/dispatch/").status_code == 404
    assert client_as(dispatcher).get(f"{COMMAND}{event.pk}/dispatch/").status_code == 405


def test_bulk_dispatch_reports_each_failure(client_as, dispatcher, gulou_grid, loop):
    good = [make_event(gulou_grid, state=State.FILED) for _ in range(2)]
    orphan_category = MinorCategory.objects.exclude(pk=category().pk).filter(
        is_active=True).first()
    ev.update_category(orphan_category, actor=None, default_department=None)
    orphan = make_event(gulou_grid, state=State.FILED, cat=orphan_category)
    stale = loop["to_dispatch"]
    data = {"event": [e.pk for e in good] + [orphan.pk, stale.pk, loop["elsewhere"].pk],
            f"version_{stale.pk}": stale.version - 1}
    response = client_as(dispatcher).post(f"{COMMAND}bulk-dispatch/", data, follow=True)
    texts = messages_of(response)
    assert "已派遣 2 件事件。" in texts
    assert any(orphan.number in t and "默认责任部门" in t for t in texts)
    assert any(stale.number in t and "已被他人处理" in t for t in texts)
    assert any(f"#{loop['elsewhere'].pk}" in t for t in texts)
    assert all(Event.objects.get(pk=e.pk).state == State.DISPATCHED for e in good)
    assert Event.objects.get(pk=orphan.pk).state == State.FILED
    assert Event.objects.get(pk=loop["elsewhere"].pk).state == State.FILED


def test_bulk_dispatch_with_nothing_ticked(client_as, dispatcher):
    response = client_as(dispatcher).post(f"{COMMAND}bulk-dispatch/", follow=True)
    assert any("请先勾选" in m for m in messages_of(response))


# --- department handler ---------------------------------------------------------------------


def test_department_list_claim_complete(client_as, dept_handler, gulou_grid, loop):
    event = make_event(gulou_grid, state=State.DISPATCHED)
    client = client_as(dept_handler)
    response = client.get(DEPARTMENT)
    assert response.context["queue"] == "to_claim"
    assert {event.number, loop["overdue"].number} <= set(listed(response))
    assert {r["event"].department.code for r in response.context["rows"]} == {"D034"}
    assert {r["event"].state for r in response.context["rows"]} == {State.DISPATCHED}
    client.post(f"{DEPARTMENT}{event.pk}/claim/", {"version": event.version})
    event.refresh_from_db()
    assert event.state == State.IN_PROGRESS and event.assignee == dept_handler
    assert event.number in listed(client.get(DEPARTMENT, {"queue": "handling"}))
    response = client.post(f"{DEPARTMENT}{event.pk}/complete/", {"remark": ""}, follow=True)
    assert any("处置情况:请填写此项。" in m for m in messages_of(response))
    client.post(f"{DEPARTMENT}{event.pk}/complete/", {"remark": "已清运完毕",
                                                      "photos": [photo()]})
    assert Event.objects.get(pk=event.pk).state == State.COMPLETED


def test_department_return_needs_a_reason(client_as, dept_handler, gulou_grid):
    event = make_event(gulou_grid, state=State.DISPATCHED)
    client = client_as(dept_handler)
    client.post(f"{DEPARTMENT}{event.pk}/return/", {"reason": ""})
    assert Event.objects.get(pk=event.pk).state == State.DISPATCHED
    client.post(f"{DEPARTMENT}{event.pk}/return/", {"reason": "不属于本部门职责"})
    event.refresh_from_db()
    assert event.state == State.FILED and event.department_id is None
    assert event.number not in listed(client.get(DEPARTMENT))


def test_department_sees_only_its_own_events(client_as, dept_handler, gulou_grid):
    other = Department.objects.exclude(code="D034").first()
    event = make_event(gulou_grid, state=State.FILED)
    ev.dispatch_event(event, other, actor=None)
    client = client_as(dept_handler)
    assert event.number not in listed(client.get(DEPARTMENT))
    assert client.post(f"{DEPARTMENT}{event.pk}/claim/").status_code == 404


# --- grid worker ----------------------------------------------------------------------------


def test_grid_worker_verifies_and_sees_own_reports(client_as, grid_worker, gulou_grid,
                                                   gulou_grid2):
    client = client_as(grid_worker)
    before = {t["key"]: t["count"] for t in client.get(MINE).context["tabs"]}
    mine = make_event(gulou_grid, state=State.COMPLETED)
    rework = make_event(gulou_grid, state=State.COMPLETED)
    neighbour = make_event(gulou_grid2, state=State.COMPLETED)
    reported = make_event(gulou_grid, reporter=grid_worker)
    response = client.get(MINE)
    tabs = {t["key"]: t["count"] for t in response.context["tabs"]}
    assert {k: tabs[k] - before[k] for k in tabs} == {"to_verify": 2, "grid_tasks": 0,
                                                      "reported": 1}
    assert {mine.number, rework.number} <= set(listed(response))
    assert neighbour.number not in listed(response)
    client.post(f"{MINE}{mine.pk}/verify/", {"passed": "1", "version": mine.version,
                                             "photos": [photo()]})
    assert Event.objects.get(pk=mine.pk).state == State.CLOSED
    client.post(f"{MINE}{rework.pk}/verify/", {"passed": "0", "remark": "地面仍有油污",
                                               "photos": [photo()]})
    assert Event.objects.get(pk=rework.pk).state == State.IN_PROGRESS
    assert reported.number in listed(client.get(MINE, {"tab": "reported"}))
    assert mine.number not in listed(client.get(MINE, {"tab": "reported"}))
    assert client.post(f"{MINE}{neighbour.pk}/verify/", {"passed": "1"}).status_code == 404


def test_grid_tasks_can_be_claimed_by_the_grid(client_as, grid_worker, gulou_grid):
    event = make_event(gulou_grid, state=State.DISPATCHED, to_grid=True)
    client = client_as(grid_worker)
    assert event.number in listed(client.get(MINE, {"tab": "grid_tasks"}))
    client.post(f"{DEPARTMENT}{event.pk}/claim/", {"next": MINE})
    assert Event.objects.get(pk=event.pk).state == State.IN_PROGRESS


# --- map ------------------------------------------------------------------------------------


def test_map_page_and_geojson(client_as, dispatcher, loop):
    client = client_as(dispatcher)
    page = client.get("/events/command/map/")
    assert page.status_code == 200
    assert 'src="/static/vendor/leaflet/leaflet.js"' in page.content.decode()
    data = client.get(GEOJSON).json()
    numbers = {f["properties"]["number"]: f for f in data["features"]}
    assert loop["elsewhere"].number not in numbers
    assert {loop[k].number for k in ("new", "to_file", "to_dispatch", "overdue",
                                     "supervised")} <= set(numbers)
    assert all(n.startswith("E") for n in numbers)
    assert not {f["properties"]["state"] for f in data["features"]} & {"closed", "void"}
    overdue = numbers[loop["overdue"].number]
    assert overdue["properties"]["overdue"] is True
    assert overdue["properties"]["color"] == "#d62728"
    lng, lat = overdue["geometry"]["coordinates"]
    assert lng == pytest.approx(loop["overdue"].lng, abs=1e-6)
    filtered = client.get(GEOJSON, {"state": "filed"}).json()
    assert loop["to_dispatch"].number in [f["properties"]["number"]
                                          for f in filtered["features"]]
    assert {f["properties"]["state"] for f in filtered["features"]} == {"filed"}
    assert client.get(GEOJSON, {"state": "nonsense"}).status_code == 400


def test_geojson_query_count_is_constant(client_as, dispatcher, gulou_grid,
                                         django_assert_max_num_queries):
    client = client_as(dispatcher)
    before = len(client.get(GEOJSON).json()["features"])
    for _ in range(10):
        make_event(gulou_grid)
    with django_assert_max_num_queries(6):
        assert len(client.get(GEOJSON).json()["features"]) == before + 10


# --- shell ----------------------------------------------------------------------------------


def test_home_work_and_menu_by_role(client_as, dispatcher, dept_handler, grid_worker, loop):
    response = client_as(dispatcher).get("/")
    work = {item.key: item.count for item in response.context["work"]}
    mine = Event.objects.restrict(dispatcher)
    assert work["events.to_dispatch"] == mine.filter(state=State.FILED).count()
    assert work["events.overdue"] == mine.overdue().count() >= 1
    assert {"events_command", "events_map"} <= {i["key"] for i in response.context["gg_nav"]}
    work = {i.key: i.count for i in client_as(dept_handler).get("/").context["work"]}
    assert work["events.department.to_claim"] == Event.objects.filter(
        department__code="D034", state=State.DISPATCHED).count() >= 1
    nav = {i["key"] for i in client_as(grid_worker).get("/").context["gg_nav"]}
    assert "events_mine" in nav and "events_command" not in nav


# --- benchmark floor ------------------------------------------------------------------------


def test_benchmark_floor_is_not_in_the_production_urls(client):
    assert client.post("/events/benchmark/floor/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("benchmark_floor")


@override_settings(ROOT_URLCONF="gridgov.events.tests.urls_benchmark")
def test_benchmark_floor_inserts_one_bare_row(client, gulou_grid):
    _key, raw = issue_api_key(Department.objects.get(code="D034"), name="bench", actor=None)
    lng, lat = point_in(gulou_grid)
    refused = client.post("/events/benchmark/floor/", {}, content_type="application/json")
    response = client.post(
        "/events/benchmark/floor/", {"description": "x", "lng": lng, "lat": lat,
                                     "grid": gulou_grid.code},
        content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert refused.status_code in (401, 403)
    assert response.status_code == 201
    assert Event.objects.get(pk=response.json()["id"]).grid == gulou_grid
    # The rest of the site is there too (the benchmark's intake calls go through it).
    assert client.get("/events/command/").status_code == 302
