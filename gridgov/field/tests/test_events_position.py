"""Verification from the field terminal through the workflow API: multipart fields as the
outbox sends them, ``expected_version`` (409 with ``current`` when stale), idempotent
retries, and the device's position stamped on the step with its distance to the event,
shown in the API's timeline and the command room's case file."""

import io
import math
from datetime import timedelta

import pytest
from django.utils import timezone

from gridgov.demo.users import GULOU_GRID
from gridgov.events.models import EventStep
from gridgov.events.tests.workflow_support import call, new_event, people, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(db):
    return people()


@pytest.fixture
def completed(p):
    event = new_event(p, grid=GULOU_GRID)
    for action in ("register", "file", "dispatch", "claim", "complete"):
        event = call(action, event, p)
    return event


def north_of(event, metres):
    """A point ``metres`` north of the event (WGS-84)."""
    return event.lng, event.lat + metres / 111_195


def verify(api, event, **fields):
    data = {"passed": "true", "expected_version": str(event.version), "remark": "",
            "attachments": photo(), **fields}
    return api.post(f"/api/v1/events/{event.pk}/verify/", data, format="multipart",
                    HTTP_ACCEPT="application/json")


def test_verify_with_a_position_stamps_the_step_with_its_distance(api_as, p, completed):
    lng, lat = north_of(completed, 38)
    at = timezone.now() - timedelta(minutes=2)
    response = verify(api_as(p["worker"]), completed, lng=str(lng), lat=str(lat),
                      accuracy_m="12.4", position_at=at.isoformat())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "closed"
    step = EventStep.objects.get(event=completed, action="verify")
    assert step.place_distance_m == 38 and step.place_accuracy_m == 12
    assert math.isclose(step.place_lat, round(lat, 6)) and abs(step.place_at - at) < timedelta(
        seconds=1)
    position = body["timeline"][-1]["position"]
    assert position["distance_m"] == 38 and position["accuracy_m"] == 12
    assert position["text"] == "核查位置距事件 38 米(精度 ±12 米)"
    assert position["beyond"] is False and position["radius_m"] == 200
    assert body["timeline"][0]["position"] is None  # the report carries no fix


def test_the_case_file_shows_the_distance_and_flags_it_beyond_the_radius(
        api_as, client_as, p, completed):
    lng, lat = north_of(completed, 450)  # the default rule: place optional, radius 200 m
    response = verify(api_as(p["worker"]), completed, lng=str(lng), lat=str(lat),
                      accuracy_m="30")
    assert response.status_code == 200, response.content
    page = client_as(p["shift"]).get(f"/events/{completed.pk}/").content.decode()
    line = "核查位置距事件 450 米(精度 ±30 米),超出 200 米范围"
    assert line in page
    cell = page.split(line, 1)[0].rsplit("<span", 1)[1]
    assert "gg-badge-warn" in cell
    # The terminal's case page shows the same line on the step.
    page = client_as(p["worker"]).get(f"/m/events/{completed.number}/").content.decode()
    assert line in page and "is-beyond" in page


def test_a_stale_version_answers_409_with_the_current_record(api_as, p, completed):
    api = api_as(p["worker"])
    response = verify(api, completed, expected_version=str(completed.version - 1))
    assert response.status_code == 409
    body = response.json()
    assert body["errors"][0]["code"] == "conflict"
    assert body["current"]["number"] == completed.number
    assert body["current"]["version"] == completed.version
    assert body["current"]["state"] == "completed"
    assert not EventStep.objects.filter(event=completed, action="verify").exists()


@pytest.mark.parametrize(("fields", "field"), [
    ({"passed": "false"}, "remark"),  # a failed check needs the reason
    ({"lng": "200", "lat": "30"}, "lng"),
    ({"accuracy_m": "很准"}, "accuracy_m"),
    ({"position_at": "yesterday"}, "position_at"),
    ({"position_at": (timezone.now() + timedelta(hours=1)).isoformat()}, "position_at"),
])
def test_bad_input_answers_400_naming_the_form_field(api_as, p, completed, fields, field):
    response = verify(api_as(p["worker"]), completed, **fields)
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}


def test_a_failed_check_sends_the_case_back_with_the_position(api_as, p, completed):
    lng, lat = north_of(completed, 5)
    response = verify(api_as(p["worker"]), completed, passed="false", remark="垃圾仍未清理",
                      lng=str(lng), lat=str(lat))
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "in_progress"
    step = EventStep.objects.get(event=completed, action="verify")
    assert step.place_distance_m == 5 and step.place_accuracy_m is None


def test_no_photo_when_the_rule_asks_one_is_refused_on_attachments(api_as, p, completed):
    response = api_as(p["worker"]).post(
        f"/api/v1/events/{completed.pk}/verify/",
        {"passed": "true", "expected_version": str(completed.version)}, format="multipart")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"attachments"}


def test_a_retry_with_the_same_key_creates_nothing_twice(api_as, p, completed):
    api = api_as(p["worker"])
    lng, lat = north_of(completed, 10)
    from PIL import Image

    def upload():
        out = io.BytesIO()
        Image.new("RGB", (16, 12), (40, 160, 60)).save(out, "JPEG")
        out.seek(0)
        out.name = "site.jpg"
        return out

    data = {"passed": "true", "expected_version": str(completed.version), "lng": str(lng),
            "lat": str(lat)}
    first = api.post(f"/api/v1/events/{completed.pk}/verify/",
                     {**data, "attachments": upload()}, format="multipart",
                     HTTP_IDEMPOTENCY_KEY="4b1c8c2e-0d1f-4c57-9a33-0f1b2c3d4e5f")
    again = api.post(f"/api/v1/events/{completed.pk}/verify/",
                     {**data, "attachments": upload()}, format="multipart",
                     HTTP_IDEMPOTENCY_KEY="4b1c8c2e-0d1f-4c57-9a33-0f1b2c3d4e5f")
    assert first.status_code == again.status_code == 200, again.content
    assert again.json()["version"] == first.json()["version"]
    assert EventStep.objects.filter(event=completed, action="verify").count() == 1


def test_completion_on_the_grid_carries_the_position_too(api_as, p):
    from gridgov.events import actions

    event = call("file", call("register", new_event(p), p), p)
    event = actions.dispatch_event(event, grid=True, actor=p["dispatcher"])
    event = actions.claim_event(event, actor=p["worker"])
    lng, lat = north_of(event, 20)
    response = api_as(p["worker"]).post(
        f"/api/v1/events/{event.pk}/complete/",
        {"remark": "已清理", "expected_version": str(event.version), "lng": str(lng),
         "lat": str(lat), "accuracy_m": "8", "attachments": photo()}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["timeline"][-1]["position"]["text"] == (
        "处置位置距事件 20 米(精度 ±8 米)")
