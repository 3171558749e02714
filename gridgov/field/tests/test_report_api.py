"""The intake API as the field terminal's report form uses it: multipart, the device's
``observed_at`` / ``accuracy_m`` / ``position_corrected``, and resolved on the spot in one
request (issue 13, item 2)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.events.choices import State
from gridgov.events.models import Event, EventAttachment, EventStep
from gridgov.events.tests.intake_support import jpeg_with_gps, point_in

pytestmark = pytest.mark.django_db
URL = "/api/v1/events/report/"


def form(grid, **extra):
    lng, lat = point_in(grid)
    data = {"source": "grid_patrol", "description": "人行道地砖松动", "lng": f"{lng:.7f}",
            "lat": f"{lat:.7f}", "crs": "wgs84", "category": "0109"}
    data.update(extra)
    return data


def photo(name="p.jpg"):
    return SimpleUploadedFile(name, jpeg_with_gps(), content_type="image/jpeg")


def errors(response) -> dict:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_multipart_report_keeps_the_device_fields(api_as, grid_worker, gulou_grid):
    seen = timezone.now() - timedelta(hours=3)
    response = api_as(grid_worker).post(URL, form(
        gulou_grid, observed_at=seen.isoformat(), accuracy_m="12.4",
        position_corrected="true", position_at=timezone.now().isoformat(),
        attachments=[photo("a.jpg"), photo("b.jpg")]), format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["accuracy_m"] == 12.4 and body["observed_at"] is not None
    event = Event.objects.get(pk=body["id"])
    assert abs((event.observed_at - seen).total_seconds()) < 1
    assert event.accuracy_m == 12.4 and event.position_corrected
    # Two photos, each kept with its public copy.
    assert EventAttachment.objects.filter(event=event, public=False).count() == 2
    record = AuditRecord.objects.get(pk=event.steps.get().audit_record_id)
    assert record.changes["accuracy_m"] == [None, 12.4]
    assert record.changes["position_corrected"] == [None, True]


def test_observed_at_defaults_to_the_receipt(api_as, grid_worker, gulou_grid):
    response = api_as(grid_worker).post(URL, form(gulou_grid), format="multipart")
    assert response.status_code == 201, response.content
    event = Event.objects.get(pk=response.json()["id"])
    assert event.observed_at == event.created_at and event.accuracy_m is None
    assert not event.position_corrected and not event.observed_apart


@pytest.mark.parametrize(("shift", "ok"), [
    (timedelta(minutes=4), True),
    (timedelta(minutes=6), False),
    (-timedelta(days=6, hours=23), True),
    (-timedelta(days=7, minutes=5), False),
])
def test_observed_at_bounds(api_as, grid_worker, gulou_grid, shift, ok):
    seen = timezone.now() + shift
    response = api_as(grid_worker).post(URL, form(gulou_grid, observed_at=seen.isoformat()),
                                        format="multipart")
    if ok:
        assert response.status_code == 201, response.content
    else:
        assert response.status_code == 400
        assert "observed_at" in errors(response)


def test_bad_accuracy_is_400_on_its_field(api_as, grid_worker, gulou_grid):
    response = api_as(grid_worker).post(URL, form(gulou_grid, accuracy_m="-3"),
                                        format="multipart")
    assert response.status_code == 400 and "accuracy_m" in errors(response)


def test_resolved_on_spot_in_one_request(api_as, grid_worker, gulou_grid):
    response = api_as(grid_worker).post(URL, form(
        gulou_grid, resolved_on_spot="true", resolution="已当场清理", accuracy_m="12.4",
        attachments=[photo("before.jpg")], after_photos=[photo("after.jpg")]),
        format="multipart", HTTP_IDEMPOTENCY_KEY="spot-1")
    assert response.status_code == 201, response.content
    assert response.json()["resolved_on_spot"] is True
    event = Event.objects.get(pk=response.json()["id"])
    assert event.state == State.COMPLETED and event.resolved_on_spot
    assert list(event.steps.values_list("action", flat=True)) == ["report", "resolve_on_spot"]
    step = event.steps.get(action="resolve_on_spot")
    after = EventAttachment.objects.get(event=event, public=False, name="after.jpg")
    assert after.step == step.seq
    # A retry after a lost answer: the same event, no second step.
    again = api_as(grid_worker).post(URL, form(
        gulou_grid, resolved_on_spot="true", resolution="已当场清理", accuracy_m="12.4",
        attachments=[photo("before.jpg")], after_photos=[photo("after.jpg")]),
        format="multipart", HTTP_IDEMPOTENCY_KEY="spot-1")
    assert again.status_code == 200 and again.json()["id"] == event.pk
    assert EventStep.objects.filter(event=event).count() == 2


def test_resolved_on_spot_needs_the_after_photo_where_the_rule_does(
        api_as, grid_worker, gulou_grid):
    before = Event.objects.count()
    response = api_as(grid_worker).post(URL, form(
        gulou_grid, resolved_on_spot="on", resolution="已当场清理",
        attachments=[photo()]), format="multipart")
    assert response.status_code == 400
    assert "after_photos" in errors(response)
    assert Event.objects.count() == before  # nothing half-made


def test_resolved_on_spot_needs_the_resolution(api_as, grid_worker, gulou_grid):
    response = api_as(grid_worker).post(URL, form(
        gulou_grid, resolved_on_spot="true", after_photos=[photo()]), format="multipart")
    assert response.status_code == 400 and "resolution" in errors(response)


def test_resolved_on_spot_without_photo_where_none_is_required(
        api_as, grid_worker, gulou_grid):
    # 1101 邻里纠纷: the work is talking to people; its rule asks for no photo.
    response = api_as(grid_worker).post(URL, form(
        gulou_grid, category="1101", description="邻居噪音纠纷", resolved_on_spot="true",
        resolution="已当场调解"), format="multipart")
    assert response.status_code == 201, response.content
    assert Event.objects.get(pk=response.json()["id"]).state == State.COMPLETED


def test_not_resolved_ignores_nothing_and_keeps_reported(api_as, grid_worker, gulou_grid):
    response = api_as(grid_worker).post(URL, form(gulou_grid, resolved_on_spot="false"),
                                        format="multipart")
    assert response.status_code == 201
    assert Event.objects.get(pk=response.json()["id"]).state == State.REPORTED


def test_device_fields_are_for_the_grid_patrol_only(api_as, leader, gulou_grid):
    response = api_as(leader).post(URL, form(
        gulou_grid, source="leader_instruction", resolved_on_spot="true",
        resolution="x", accuracy_m="5"), format="multipart")
    assert response.status_code == 400
    assert {"resolved_on_spot", "resolution", "accuracy_m"} <= set(errors(response))
    seen = timezone.now() - timedelta(hours=1)
    ok = api_as(leader).post(URL, form(gulou_grid, source="leader_instruction",
                                       observed_at=seen.isoformat()), format="multipart")
    assert ok.status_code == 201, ok.content
    assert Event.objects.get(pk=ok.json()["id"]).observed_apart


def test_multipart_retry_with_the_same_key_creates_one_event(api_as, grid_worker, gulou_grid):
    api = api_as(grid_worker)
    before = Event.objects.filter(reporter_user=grid_worker).count()
    first = api.post(URL, form(gulou_grid, attachments=[photo()]), format="multipart",
                     HTTP_IDEMPOTENCY_KEY="0b9f8c52-3d7e-4b53-9b0a-5f4b6a1d2c3e")
    again = api.post(URL, form(gulou_grid, attachments=[photo()]), format="multipart",
                     HTTP_IDEMPOTENCY_KEY="0b9f8c52-3d7e-4b53-9b0a-5f4b6a1d2c3e")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Event.objects.filter(reporter_user=grid_worker).count() == before + 1


def test_case_file_shows_observed_time_and_accuracy(api_as, client_as, grid_worker,
                                                   shift_leader, gulou_grid):
    seen = timezone.now() - timedelta(hours=2)
    created = api_as(grid_worker).post(URL, form(
        gulou_grid, observed_at=seen.isoformat(), accuracy_m="12",
        position_corrected="true"), format="multipart")
    event = Event.objects.get(pk=created.json()["id"])
    page = client_as(shift_leader).get(f"/events/{event.pk}/").content.decode()
    assert "发现时间" in page and timezone.localtime(seen).strftime("%H:%M") in page
    assert "定位精度 ±12 米" in page and "已手动校正" in page
