"""Events API: scoped list and detail, workflow actions, 409 on a stale version."""

import pytest

from gridgov.events.choices import State

from .workflow_support import event_in, new_event, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(db):
    return people()


def test_list_is_scoped_and_bounded_in_queries(api_as, p, django_assert_max_num_queries):
    mine = new_event(p)
    other = new_event(p, grid="330203005001002")
    api = api_as(p["worker"])
    with django_assert_max_num_queries(8):
        response = api.get("/api/events/?limit=200")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert mine.pk in ids and other.pk not in ids
    row = next(r for r in response.json()["results"] if r["id"] == mine.pk)
    assert row["state"] == "reported" and row["state_label"] == "已上报"
    assert row["deadline_status"] in ("on_time", "due_soon")
    assert "description" not in row


def test_list_filters(api_as, p):
    event = event_in(State.FILED, p)
    api = api_as(p["shift"])
    rows = api.get("/api/events/", {"state": "filed", "category": "0102"}).json()["results"]
    assert event.pk in {r["id"] for r in rows}
    assert all(r["state"] == "filed" for r in rows)
    bad = api.get("/api/events/", {"within": "abc"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "within"


def test_detail_outside_scope_is_404_like_missing(api_as, p):
    event = new_event(p)
    api = api_as(p["worker2"])
    hidden = api.get(f"/api/events/{event.pk}/")
    missing = api.get("/api/events/999999999/")
    assert hidden.status_code == missing.status_code == 404
    # An administrator lacks events.view, which is what restrict_q keeps rows by: an
    # existing event and a missing one answer alike, 404, and the list is empty.
    admin = api_as(p["sys_admin"])
    assert admin.get(f"/api/events/{event.pk}/").status_code == 404
    assert admin.get("/api/events/999999999/").status_code == 404
    assert admin.get("/api/events/").json()["count"] == 0


def test_detail_has_timeline_actions_and_masked_phone(api_as, p):
    event = event_in(State.FILED, p)
    event.reporter_phone = "13812345678"
    event.save(update_fields=["reporter_phone_enc", "reporter_phone_hash",
                              "reporter_phone_masked"])
    body = api_as(p["dispatcher"]).get(f"/api/events/{event.pk}/").json()
    assert body["reporter_phone"] == "138****5678"
    assert [s["action"] for s in body["timeline"]] == ["report", "register", "file"]
    assert body["actions"] == ["dispatch"]


def test_transition_through_the_api(api_as, p):
    event = event_in(State.FILED, p)
    response = api_as(p["dispatcher"]).post(f"/api/events/{event.pk}/dispatch/",
                                            {"version": event.version}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "dispatched" and body["department_name"] == "区综合行政执法局"
    assert body["version"] == event.version + 1
    claim = api_as(p["handler"]).post(f"/api/events/{event.pk}/claim/", {}, format="json")
    assert claim.json()["state"] == "in_progress"


def test_stale_version_is_409_with_the_current_state(api_as, p):
    event = event_in(State.FILED, p)
    api = api_as(p["dispatcher"])
    first = api.post(f"/api/events/{event.pk}/dispatch/", {"version": event.version},
                     format="json")
    assert first.status_code == 200
    shift = api_as(p["shift"])
    second = shift.post(f"/api/events/{event.pk}/void/",
                        {"version": event.version, "reason": "重复"}, format="json")
    assert second.status_code == 409
    body = second.json()
    assert body["state"] == "dispatched" and body["version"] == event.version + 1
    assert body["errors"][0]["code"] == "conflict"


def test_wrong_state_is_409(api_as, p):
    event = new_event(p)
    response = api_as(p["handler"]).post(f"/api/events/{event.pk}/claim/", {}, format="json")
    # The handler cannot see an event not dispatched to the department: 404 first.
    assert response.status_code == 404
    response = api_as(p["shift"]).post(f"/api/events/{event.pk}/file/", {}, format="json")
    assert response.status_code == 409 and response.json()["state"] == "reported"


def test_forbidden_role_is_403_and_bad_input_400(api_as, p):
    event = event_in(State.FILED, p)
    assert api_as(p["leader"]).post(f"/api/events/{event.pk}/dispatch/", {},
                                    format="json").status_code == 403
    response = api_as(p["shift"]).post(f"/api/events/{event.pk}/void/", {"reason": ""},
                                       format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason"


def test_intake_routes_still_win(api_as, p):
    """E2's /api/events/report/ is not swallowed by the detail route."""
    response = api_as(p["worker"]).get("/api/events/report/")
    assert response.status_code == 405


# --- endpoints, inputs and permissions read from the workflow table ---------------------------


def test_each_transition_takes_exactly_the_inputs_the_table_names():
    from gridgov.events import actions
    from gridgov.events.api.workflow import INPUT_SERIALIZERS
    from gridgov.events.workflow import TRANSITIONS

    assert set(INPUT_SERIALIZERS) == set(actions.PERFORMABLE)
    assert "merge" not in INPUT_SERIALIZERS  # merging has its own endpoint
    for name, serializer in INPUT_SERIALIZERS.items():
        expected = {"version", "expected_version"} | {
            needed.name for needed in TRANSITIONS[name].needs}
        assert set(serializer().fields) == expected, name


def test_schema_names_each_transitions_permission_and_inputs(client_as, p):
    import json

    from gridgov.events import actions
    from gridgov.events.workflow import TRANSITIONS

    document = json.loads(client_as(p["sec_admin"]).get("/api/schema/",
                                                        {"format": "json"}).content)
    paths = document["paths"]
    schemas = document["components"]["schemas"]
    for name in actions.PERFORMABLE:
        operation = paths[f"/api/v1/events/{{id}}/{name}/"]["post"]
        expected = ["events.view"] if name == "evaluate" else [f"events.{name}"]
        assert operation["x-permissions"] == expected, name
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        properties = set(schemas[ref.rsplit("/", 1)[-1]]["properties"])
        assert properties == {"version", "expected_version"} | {
            n.name for n in TRANSITIONS[name].needs}, name
    report = paths["/api/v1/events/report/"]["post"]["x-permissions"]
    assert set(report) == {"events.report_patrol", "events.report_video", "events.transfer",
                           "events.instruct"}
    assert paths["/api/v1/events/hotline/"]["post"]["x-permissions"] == ["events.record_hotline"]


def test_inputs_reach_the_action_as_the_table_says(api_as, p):
    event = event_in(State.FILED, p)
    response = api_as(p["dispatcher"]).post(f"/api/events/{event.pk}/dispatch/",
                                            {"to_grid": True, "remark": "属地处置"},
                                            format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["department_name"] is None  # to_grid → the verb's ``grid``
    worker = api_as(p["worker"])
    claimed = worker.post(f"/api/events/{event.pk}/claim/", {}, format="json")
    assert claimed.json()["state"] == "in_progress"
    asked = worker.post(f"/api/events/{event.pk}/request_extension/",
                        {"days": 3, "reason": "需要协调"}, format="json")
    assert asked.status_code == 200, asked.json()
    bad = worker.post(f"/api/events/{event.pk}/request_suspension/", {"reason": ""},
                      format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "reason"
