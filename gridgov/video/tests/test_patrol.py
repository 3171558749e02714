"""Video patrol (视频巡查) from a camera: the event keeps the camera's code and point and the
snapshot as its attachment; a bad snapshot is refused on its field; who may file one."""

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.audit.models import AuditRecord
from gridgov.events.choices import AttachmentKind, Source
from gridgov.events.models import Event
from gridgov.video.actions.patrol import report_from_camera

from .live_support import camera_at_gulou, grant_role, jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def camera(db):
    cam = camera_at_gulou("https://video.example.org/live/cam1/index.m3u8")
    grant_role(cam)
    return cam


def snapshot(name="snapshot.jpg", data=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data if data is not None else jpeg(), content_type)


def new_events():
    return Event.objects.filter(source=Source.VIDEO_PATROL).order_by("-id")


def test_the_event_keeps_the_camera_code_point_and_snapshot(camera, dispatcher):
    mark = AuditRecord.objects.count()
    result = report_from_camera(camera, actor=dispatcher, description="路口机动车违停",
                                snapshot=snapshot(), category="0102")
    event = result.event
    assert result.created and event.source == Source.VIDEO_PATROL
    assert event.camera_code == camera.code
    assert (round(event.lng, 6), round(event.lat, 6)) == (round(camera.lng, 6),
                                                         round(camera.lat, 6))
    assert event.address == camera.place and event.grid_id == camera.grid_id
    photos = event.attachments.filter(kind=AttachmentKind.PHOTO)
    assert photos.count() == 2  # the original (private) and its copy without metadata
    assert photos.filter(public=True).count() == 1
    # One audit record: the event's report step (no second "video.report_from_camera").
    actions = list(AuditRecord.objects.order_by("id")[mark:].values_list("action", flat=True))
    assert len(actions) == 1 and "video" not in actions[0]


def test_a_snapshot_is_required_and_must_be_a_photo(camera, dispatcher):
    from django.core.exceptions import ValidationError

    for bad in (None, snapshot("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64,
                               "video/mp4"),
                snapshot("notes.txt", b"hello", "text/plain"), "data:text/plain;base64,aGk=",
                "data:image/jpeg;base64,***"):
        with pytest.raises(ValidationError) as exc:
            report_from_camera(camera, actor=dispatcher, description="违停", snapshot=bad)
        assert list(exc.value.message_dict) == ["snapshot"], bad
    assert not new_events().exists()


# --- the page --------------------------------------------------------------------------------


def test_the_page_files_the_event_and_goes_to_it(camera, dispatcher, client_as):
    client = client_as(dispatcher)
    url = f"/video/cameras/{camera.code}/report/"
    form = client.get(url)
    assert form.status_code == 200 and 'name="snapshot"' in form.content.decode()
    answer = client.post(url, {"description": "路口机动车违停", "urgency": "urgent",
                               "snapshot": snapshot()})
    event = new_events().first()
    assert answer.status_code == 302 and str(event.pk) in answer["Location"]
    assert event.camera_code == camera.code and event.urgency == "urgent"
    assert event.attachments.filter(kind=AttachmentKind.PHOTO).exists()


def test_the_page_refuses_a_bad_snapshot_with_the_field(camera, dispatcher, client_as):
    answer = client_as(dispatcher).post(
        f"/video/cameras/{camera.code}/report/",
        {"description": "违停", "snapshot": snapshot("a.txt", b"plain text", "text/plain")})
    assert answer.status_code == 400
    assert 'data-field="snapshot"' in answer.content.decode()
    assert not new_events().exists()


def test_the_page_takes_the_live_pages_frame_as_a_data_url(camera, dispatcher, client_as):
    data_url = "data:image/jpeg;base64," + base64.b64encode(jpeg()).decode()
    answer = client_as(dispatcher).post(f"/video/cameras/{camera.code}/report/", {
        "description": "占道经营", "snapshot_data": data_url})
    assert answer.status_code == 302
    assert new_events().first().attachments.exists()


def test_who_may_file_from_a_camera(camera, client_as, dept_handler, shift_leader):
    url = f"/video/cameras/{camera.code}/report/"
    # The owner's own staff may watch the camera but are no command room: no video patrol.
    assert client_as(dept_handler).get(url).status_code == 403
    # The command room's shift leaders hold no grant of this camera (the dispatchers do).
    assert client_as(shift_leader).get(url).status_code == 404
    assert client_as(shift_leader).post(url, {"description": "x"}).status_code == 404


# --- the API ---------------------------------------------------------------------------------


def test_the_api_takes_multipart_and_json(camera, dispatcher, api_as):
    api = api_as(dispatcher)
    url = f"/api/v1/video/cameras/{camera.code}/report/"
    answer = api.post(url, {"description": "违停", "snapshot": snapshot()}, format="multipart")
    assert answer.status_code == 201, answer.content
    assert answer.json()["camera_code"] == camera.code
    png = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 40, 40)).save(png, "PNG")
    data_url = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    answer = api.post(url, {"description": "占道", "snapshot": data_url}, format="json")
    assert answer.status_code == 201, answer.content
    event = Event.objects.get(pk=answer.json()["id"])
    assert event.camera_code == camera.code and event.attachments.exists()


def test_the_api_refuses_a_bad_snapshot_with_400_and_the_field(camera, dispatcher, api_as):
    url = f"/api/v1/video/cameras/{camera.code}/report/"
    answer = api_as(dispatcher).post(url, {"description": "违停", "snapshot": snapshot(
        "a.gif", b"GIF89a" + b"\x00" * 20, "image/gif")}, format="multipart")
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["snapshot"]
    missing = api_as(dispatcher).post(url, {"description": "违停"}, format="json")
    assert missing.status_code == 400
    assert [e["field"] for e in missing.json()["errors"]] == ["snapshot"]
    assert not new_events().exists()
