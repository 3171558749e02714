"""The tasks API: multipart writes from the outbox, the error shape, 409 with the current
task, replayed retries, filters and scope."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.tasks.models import Task

from .support import GRID1, grid_point, jpeg, make_task

pytestmark = pytest.mark.django_db


def fields(errors):
    return {e["field"] for e in errors["errors"]}


def test_dispatcher_creates_a_task_for_the_nearest_worker_by_multipart(
        api_as, dispatcher, grid_worker, grid_worker2, on_duty):
    on_duty((grid_worker, 900), (grid_worker2, 40))
    api = api_as(dispatcher)
    lng, lat = grid_point()
    response = api.post("/api/v1/tasks/", {
        "kind": "collect", "title": "登记新住户", "grid": GRID1, "nearest": "on",
        "lng": str(lng), "lat": str(lat), "instructions": ""}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["assignee"] == grid_worker2.pk and body["assign_mode"] == "nearest"
    assert body["assign_distance_m"] == pytest.approx(40, abs=3)
    assert body["version"] == 1 and body["steps"][0]["action"] == "assign"


def test_nobody_on_duty_answers_400_on_the_nearest_field(api_as, dispatcher, on_duty):
    on_duty()
    response = api_as(dispatcher).post("/api/v1/tasks/", {
        "kind": "verify", "title": "核查", "grid": GRID1, "nearest": "true"})
    assert response.status_code == 400
    assert fields(response.json()) == {"nearest"}


def test_bad_input_is_400_with_field_names(api_as, dispatcher, grid_worker):
    api = api_as(dispatcher)
    response = api.post("/api/v1/tasks/", {"kind": "x", "title": "", "grid": GRID1})
    assert response.status_code == 400
    assert {"kind", "title"} <= fields(response.json())
    response = api.post("/api/v1/tasks/", {"kind": "verify", "title": "t", "grid": GRID1,
                                           "event": "E-NOPE", "assignee": grid_worker.pk})
    assert response.status_code == 400 and fields(response.json()) == {"event"}
    response = api.post("/api/v1/tasks/", {"kind": "verify", "title": "t", "grid": GRID1})
    assert response.status_code == 400 and fields(response.json()) == {"assignee"}


def test_the_worker_cannot_create_and_the_outsider_gets_404(
        api_as, dispatcher, grid_worker, grid_worker2):
    task = make_task(dispatcher, grid_worker)
    assert api_as(grid_worker).post("/api/v1/tasks/", {"kind": "verify", "title": "t",
                                                       "grid": GRID1}).status_code == 403
    other = api_as(grid_worker2)
    assert other.get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    assert other.post(f"/api/v1/tasks/{task.pk}/accept/", {}).status_code == 404
    assert other.get("/api/v1/tasks/").json()["results"] == []


def test_worker_accepts_and_completes_with_photo_and_position(api_as, dispatcher,
                                                              grid_worker):
    lng, lat = grid_point()
    task = make_task(dispatcher, grid_worker, kind="verify", lng=lng, lat=lat)
    api = api_as(grid_worker)
    response = api.post(f"/api/v1/tasks/{task.pk}/accept/", {"expected_version": "1"},
                        format="multipart", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    response = api.post(f"/api/v1/tasks/{task.pk}/complete/", {
        "expected_version": "1", "note": "现场核实,已整改", "lng": str(lng + 0.0005),
        "lat": str(lat), "accuracy_m": "8", "position_at": timezone.now().isoformat(),
        "photos": [SimpleUploadedFile("a.jpg", jpeg(), "image/jpeg"),
                   SimpleUploadedFile("b.jpg", jpeg((0, 90, 0)), "image/jpeg")]},
        format="multipart", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "done" and len(body["photos"]) == 2
    assert body["done_distance_m"] == pytest.approx(48, abs=5)
    photo = api.get(body["photos"][0]["url"])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert api_as(dispatcher).get(body["photos"][0]["url"]).status_code == 200


def test_rejected_completion_names_the_fields(api_as, dispatcher, grid_worker):
    task = make_task(dispatcher, grid_worker, kind="verify")
    response = api_as(grid_worker).post(f"/api/v1/tasks/{task.pk}/complete/", {
        "note": "好了", "lng": "121.5"}, format="multipart")
    assert response.status_code == 400
    assert fields(response.json()) == {"lat"}
    response = api_as(grid_worker).post(f"/api/v1/tasks/{task.pk}/complete/", {
        "note": "好了"}, format="multipart")
    assert response.status_code == 400 and fields(response.json()) == {"photos"}


def test_conflict_answers_409_with_the_current_task(api_as, dispatcher, grid_worker,
                                                    grid_worker2):
    task = make_task(dispatcher, grid_worker)
    api_as(dispatcher).post(f"/api/v1/tasks/{task.pk}/cancel/",
                            {"reason": "事件已办结", "expected_version": "1"})
    response = api_as(grid_worker).post(f"/api/v1/tasks/{task.pk}/complete/", {
        "note": "完成", "expected_version": "1"}, format="multipart")
    assert response.status_code == 409
    body = response.json()
    assert body["errors"][0]["code"] == "conflict"
    assert body["current"]["state"] == "cancelled" and body["current"]["version"] == 2


def test_retry_with_the_same_key_creates_nothing_twice(api_as, dispatcher, grid_worker):
    api = api_as(dispatcher)
    key = str(uuid.uuid4())
    data = {"kind": "visit", "title": "走访独居老人", "grid": GRID1,
            "assignee": str(grid_worker.pk)}
    first = api.post("/api/v1/tasks/", data, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    again = api.post("/api/v1/tasks/", data, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert Task.objects.filter(title="走访独居老人").count() == 1


def test_reassign_and_filters(api_as, dispatcher, grid_worker, grid_worker2):
    task = make_task(dispatcher, grid_worker, kind="verify")
    make_task(dispatcher, grid_worker, kind="visit", title="走访")
    api = api_as(dispatcher)
    response = api.post(f"/api/v1/tasks/{task.pk}/reassign/", {
        "assignee": str(grid_worker2.pk), "note": "就近", "expected_version": "1"})
    assert response.status_code == 200
    assert [s["assignee"] for s in response.json()["steps"]] == [grid_worker.pk,
                                                                 grid_worker2.pk]
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - timezone.timedelta(hours=1))
    ids = lambda q: {row["id"] for row in api.get("/api/v1/tasks/" + q).json()["results"]}  # noqa: E731
    assert ids("?kind=verify") == {task.pk}
    assert ids("?overdue=true") == {task.pk}
    assert task.pk in ids(f"?grid={GRID1}&state=assigned")
    since = (timezone.now() - timezone.timedelta(minutes=5)).isoformat()
    assert task.pk in ids("?updated_since=" + since.replace("+", "%2B"))
    mine = {row["id"] for row in api_as(grid_worker2).get("/api/v1/tasks/?mine=true")
            .json()["results"]}
    assert mine == {task.pk}
    assert api.get("/api/v1/tasks/?updated_since=yesterday").status_code == 400


def test_on_duty_lists_workers_with_distance(api_as, dispatcher, grid_worker, on_duty):
    on_duty((grid_worker, 250))
    response = api_as(dispatcher).get(f"/api/v1/tasks/on-duty/?grid={GRID1}")
    assert response.status_code == 200
    [row] = response.json()
    assert row["user_id"] == grid_worker.pk
    assert row["distance_m"] == pytest.approx(250, abs=5) and row["fix_age_minutes"] == 3
    assert api_as(grid_worker).get(f"/api/v1/tasks/on-duty/?grid={GRID1}").status_code == 403
