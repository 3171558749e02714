import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from gridgov.accounts import actions as account_actions
from gridgov.events.actions import intake
from gridgov.events.models import Event, EventAttachment

from .intake_support import OUTSIDE, category, jpeg_with_gps, offset, point_in

pytestmark = pytest.mark.django_db
URL = "/api/events/report/"


def body(grid, **extra):
    lng, lat = point_in(grid)
    data = {"description": "人行道地砖松动", "lng": lng, "lat": lat, "category": "0109"}
    data.update(extra)
    return data


def test_grid_worker_reports(api_as, grid_worker, gulou_grid):
    response = api_as(grid_worker).post(URL, body(gulou_grid), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["source"] == "grid_patrol" and data["state"] == "reported"
    assert data["grid"] == gulou_grid.code and data["category"] == "0109"
    assert Event.objects.get(pk=data["id"]).reporter_user == grid_worker


def test_outside_district_is_400_on_location(api_as, grid_worker, gulou_grid):
    response = api_as(grid_worker).post(
        URL, body(gulou_grid, lng=OUTSIDE[0], lat=OUTSIDE[1]), format="json")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["field"], error["message"]) == ("location", "该位置不在本辖区范围内")


def test_gcj02_input_is_stored_as_wgs84(api_as, grid_worker, gulou_grid):
    lng, lat = point_in(gulou_grid, crs="gcj02")
    response = api_as(grid_worker).post(URL, body(gulou_grid, lng=lng, lat=lat, crs="gcj02"),
                                        format="json")
    assert response.status_code == 201
    wgs = point_in(gulou_grid)
    assert abs(response.json()["lng"] - wgs[0]) < 1e-7


def test_idempotent_retries_answer_200_with_the_same_event(api_as, grid_worker, gulou_grid):
    api = api_as(grid_worker)
    first = api.post(URL, body(gulou_grid), format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == 201
    for _ in range(3):
        again = api.post(URL, body(gulou_grid), format="json", HTTP_IDEMPOTENCY_KEY="r-1")
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Event.objects.filter(idempotency_key=f"u{grid_worker.pk}:r-1").count() == 1
    other = api.post(URL, body(gulou_grid, description="别的问题"), format="json",
                     HTTP_IDEMPOTENCY_KEY="r-1")
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"


def test_department_api_key_transfers_idempotently(dept_handler, gulou_grid):
    key, raw = account_actions.issue_api_key(dept_handler.department, name="对接", actor=None)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    first = api.post(URL, body(gulou_grid, external_id="ZF-1"), format="json",
                     HTTP_IDEMPOTENCY_KEY="zf-1")
    assert first.status_code == 201, first.content
    assert first.json()["source"] == "dept_transfer"
    event = Event.objects.get(pk=first.json()["id"])
    assert event.idempotency_key == f"k{key.pk}:zf-1" and event.reporter_user is None
    again = api.post(URL, body(gulou_grid, external_id="ZF-1"), format="json",
                     HTTP_IDEMPOTENCY_KEY="zf-1")
    assert again.status_code == 200 and again.json()["id"] == event.pk


def test_video_patrol_camera_code_checked(api_as, dispatcher, gulou_grid):
    api = api_as(dispatcher)
    bad = api.post(URL, body(gulou_grid, camera_code="3302030000"), format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "camera_code"
    good = api.post(URL, body(gulou_grid, camera_code="33020300001320000001"), format="json")
    assert good.status_code == 201 and good.json()["source"] == "video_patrol"


def test_role_without_a_channel_is_403(api_as, intake_clerk, gulou_grid):
    assert api_as(intake_clerk).post(URL, body(gulou_grid), format="json").status_code == 403


def test_anonymous_is_refused(gulou_grid):
    assert APIClient().post(URL, body(gulou_grid), format="json").status_code in (401, 403)


def test_multipart_with_photo_and_bad_file(api_as, grid_worker, gulou_grid):
    api = api_as(grid_worker)
    data = body(gulou_grid)
    data["attachments"] = [SimpleUploadedFile("a.jpg", jpeg_with_gps(), "image/jpeg")]
    response = api.post(URL, data, format="multipart")
    assert response.status_code == 201, response.content
    assert EventAttachment.objects.filter(event_id=response.json()["id"]).count() == 2
    data["attachments"] = [SimpleUploadedFile("a.jpg", b"not an image", "image/jpeg")]
    bad = api.post(URL, data, format="multipart")
    assert bad.status_code == 400
    error = bad.json()["errors"][0]
    assert error["field"] == "attachments" and "a.jpg" in error["message"]


def test_reporter_phone_masked_in_answers(api_as, intake_clerk, grid_worker, gulou_grid):
    event = intake.report_by_resident(description="路灯不亮", lng=point_in(gulou_grid)[0],
                                      lat=point_in(gulou_grid)[1],
                                      reporter_phone="13812345678").event
    api = api_as(grid_worker)
    response = api.post(URL, body(gulou_grid, category="0102", description="路灯"),
                        format="json")
    assert response.json()["reporter_phone"] == ""
    from gridgov.events.api.intake import intake_event_payload

    assert intake_event_payload(event, grid_worker)["reporter_phone"] == "138****5678"
    # Those who call back see the mask too, and reveal the number with a reason (audited).
    assert intake_event_payload(event, intake_clerk)["reporter_phone"] == "138****5678"


def test_answer_has_the_documented_shape(api_as, grid_worker, gulou_grid):
    """The hand-built answer carries exactly the fields the schema documents, as documented."""
    from gridgov.events.api.intake import IntakeEventSerializer

    response = api_as(grid_worker).post(URL, body(gulou_grid, category="0102"), format="json")
    answer = response.json()
    assert set(answer) == set(IntakeEventSerializer().fields)
    assert IntakeEventSerializer(answer).data == answer
    event = Event.objects.get(pk=answer["id"])
    assert (answer["number"], answer["grid"], answer["category"]) == (
        event.number, gulou_grid.code, "0102")
    assert answer["created_at"].endswith("+08:00")


# --- hotline --------------------------------------------------------------------------------


def test_hotline_json_mixed_records(api_as, intake_clerk, gulou_grid):
    lng, lat = point_in(gulou_grid)
    records = [
        {"external_id": "A-1", "line": "12345", "description": "井盖缺失", "lng": lng,
         "lat": lat},
        {"external_id": "A-2", "line": "12345", "description": "井盖缺失",
         "lng": OUTSIDE[0], "lat": OUTSIDE[1]},
    ]
    api = api_as(intake_clerk)
    response = api.post("/api/events/hotline/", {"records": records}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert [c["row"] for c in data["created"]] == [1]
    assert data["errors"] == [{"row": 2, "column": "经度/纬度", "field": "location",
                               "value": f"{OUTSIDE[0]}, {OUTSIDE[1]}",
                               "message": "该位置不在本辖区范围内"}]
    again = api.post("/api/events/hotline/", {"records": records[:1]}, format="json")
    assert again.status_code == 200 and again.json()["existing"][0]["row"] == 1
    bad = api.post("/api/events/hotline/", {"records": records[1:]}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "records.1.location"
    empty = api.post("/api/events/hotline/", {"records": []}, format="json")
    assert empty.status_code == 400


def test_hotline_api_forbidden_to_grid_workers(api_as, grid_worker):
    response = api_as(grid_worker).post("/api/events/hotline/", {"records": [{}]},
                                        format="json")
    assert response.status_code == 403


# --- duplicates -----------------------------------------------------------------------------


def test_duplicates_endpoint(api_as, grid_worker, grid_worker2, gulou_grid):
    here = point_in(gulou_grid)
    a = intake.report_by_grid_worker(actor=grid_worker, description="垃圾堆积", lng=here[0],
                                     lat=here[1], category=category("0102")).event
    near = offset(here, 5)
    b = intake.report_by_grid_worker(actor=grid_worker, description="垃圾堆积很多",
                                     lng=near[0], lat=near[1], category=category("0102")).event
    response = api_as(grid_worker).get(f"/api/events/{a.pk}/duplicates/")
    assert response.status_code == 200
    (row,) = [r for r in response.json() if r["id"] in (a.pk, b.pk)]
    assert row["id"] == b.pk and 4 < row["distance_m"] < 6 and row["score"] > 0
    hidden = api_as(grid_worker2).get(f"/api/events/{a.pk}/duplicates/")
    missing = api_as(grid_worker2).get("/api/events/999999999/duplicates/")
    assert hidden.status_code == missing.status_code == 404
