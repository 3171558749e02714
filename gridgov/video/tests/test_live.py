"""Opening a live view: who may, the reason, the event, the log row and its audit record, the
link's lifetime; the page and the API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gridgov.audit.models import AuditRecord
from gridgov.events.tests.workflow_support import new_event, people
from gridgov.video import live
from gridgov.video.actions.live import open_live_view
from gridgov.video.models import CameraView

from .live_support import camera_at_gulou, grant_role

pytestmark = pytest.mark.django_db


def signed_link(view) -> str:
    """The start of the view's link: the token's signature covers the second it was made."""
    return f"/video/stream/{view.token_id.hex}:"


@pytest.fixture
def camera(db):
    cam = camera_at_gulou("https://video.example.org/live/cam1/index.m3u8?auth=s3cret")
    grant_role(cam)
    return cam


def test_a_view_is_logged_with_its_link_lifetime_and_audited_once(camera, dispatcher, settings):
    settings.GRIDGOV_VIDEO_LINK_SECONDS = 120
    event = new_event(people())
    mark = AuditRecord.objects.count()
    view = open_live_view(camera, actor=dispatcher, reason=" 核实现场 ", event=event.pk,
                          client_ip="10.1.2.3")
    view.refresh_from_db()
    assert (view.user, view.camera, view.event, view.reason) == (dispatcher, camera, event,
                                                                 "核实现场")
    assert view.expires_at - view.issued_at == dt.timedelta(seconds=120)
    assert view.client_ip == "10.1.2.3" and view.requests == 0 and view.first_used_at is None
    records = AuditRecord.objects.order_by("id")[mark:]
    assert [r.action for r in records] == ["video.open_live_view"]
    assert camera.code in str(records[0].changes)
    assert event.number in str(records[0].changes)


def test_the_link_carries_the_signed_view_and_never_the_stream_address(camera, dispatcher):
    view = open_live_view(camera, actor=dispatcher, reason="核实")
    url = live.stream_url(view)
    token = url.split("/")[3]
    assert url.startswith("/video/stream/") and url.endswith("/index.m3u8")
    assert live.unsign(token) == view.token_id
    assert "video.example.org" not in url and "s3cret" not in url


def test_the_reason_is_required(camera, dispatcher):
    with pytest.raises(ValidationError) as exc:
        open_live_view(camera, actor=dispatcher, reason="  ")
    assert "reason" in exc.value.message_dict
    assert not CameraView.objects.exists()


def test_an_event_the_actor_may_not_see_is_refused(camera, dispatcher):
    from gridgov.demo.users import GAOQIAO_GRID

    elsewhere = new_event(people(), grid=GAOQIAO_GRID)
    with pytest.raises(ValidationError) as exc:
        open_live_view(camera, actor=dispatcher, reason="核实", event=elsewhere.pk)
    assert "event" in exc.value.message_dict


def test_a_camera_without_a_grant_is_not_found_and_no_use_right_is_refused(
        camera, data_officer, grid_worker):
    with pytest.raises(Http404):
        open_live_view(camera, actor=data_officer, reason="核实")
    with pytest.raises(PermissionDenied):
        open_live_view(camera, actor=grid_worker, reason="核实")
    assert not CameraView.objects.exists()


# --- the page --------------------------------------------------------------------------------


def test_the_page_asks_why_then_plays_through_the_signed_link(camera, dispatcher, client_as):
    client = client_as(dispatcher)
    event = new_event(people())
    url = f"/video/cameras/{camera.code}/live/"
    form = client.get(f"{url}?event={event.pk}")
    assert form.status_code == 200
    assert f'value="{event.pk}" selected' in form.content.decode()
    key = "4f1d2a6c-1b7e-4d0c-9f59-1d2b3c4d5e6f"
    sent = client.post(url, {"reason": "核实现场", "event": event.pk, "idempotency_key": key})
    view = CameraView.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"{url}?view={view.pk}"
    page = client.get(sent["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert signed_link(view) in body and "hls.light.min.js" in body
    assert "核实现场" in body and "video.example.org" not in body
    assert "media-src 'self' blob:" in page["Content-Security-Policy"]
    assert "no-store" in page["Cache-Control"]
    # The same form sent again (back and send) is the same view, not a second one.
    again = client.post(url, {"reason": "核实现场", "event": event.pk, "idempotency_key": key})
    assert again["Location"] == sent["Location"] and CameraView.objects.count() == 1


def test_the_player_page_is_the_viewers_own_while_the_link_lasts(camera, dispatcher,
                                                                client_as, shift_leader):
    view = open_live_view(camera, actor=dispatcher, reason="核实")
    url = f"/video/cameras/{camera.code}/live/?view={view.pk}"
    grant_role(camera, "shift_leader")
    other = client_as(shift_leader).get(url)  # may use the camera, but it is not their view
    assert other.status_code == 200 and view.token_id.hex not in other.content.decode()
    CameraView.objects.filter(pk=view.pk).update(expires_at=view.issued_at)
    ended = client_as(dispatcher).get(url).content.decode()
    assert "本次调阅已结束" in ended and "data-video-player" not in ended


def test_the_page_refuses_a_missing_reason_with_the_field(camera, dispatcher, client_as):
    page = client_as(dispatcher).post(f"/video/cameras/{camera.code}/live/", {"reason": ""})
    assert page.status_code == 400
    assert 'data-field="reason"' in page.content.decode()
    assert not CameraView.objects.exists()


def test_the_page_is_not_found_without_a_grant_and_refused_without_the_right(
        camera, data_officer, grid_worker, client_as):
    url = f"/video/cameras/{camera.code}/live/"
    assert client_as(data_officer).get(url).status_code == 404
    assert client_as(data_officer).post(url, {"reason": "x"}).status_code == 404
    assert client_as(grid_worker).get(url).status_code == 403
    assert not CameraView.objects.exists()


# --- the API ---------------------------------------------------------------------------------


def test_the_api_answers_the_link_and_until_when(camera, dispatcher, api_as):
    api = api_as(dispatcher)
    answer = api.post(f"/api/v1/video/cameras/{camera.code}/live/", {"reason": "核实"},
                      format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    view = CameraView.objects.get(pk=body["view_id"])
    prefix = "http://testserver/video/stream/"
    assert body["url"].startswith(prefix) and body["url"].endswith("/index.m3u8")
    assert live.unsign(body["url"][len(prefix):].split("/")[0]) == view.token_id
    assert dt.datetime.fromisoformat(body["expires_at"]) == view.expires_at
    assert body["camera"] == camera.code and body["reason"] == "核实"


def test_the_api_refuses_with_the_shared_error_shape(camera, dispatcher, data_officer, api_as):
    url = f"/api/v1/video/cameras/{camera.code}/live/"
    missing = api_as(dispatcher).post(url, {}, format="json")
    assert missing.status_code == 400
    assert [e["field"] for e in missing.json()["errors"]] == ["reason"]
    assert api_as(data_officer).post(url, {"reason": "x"}, format="json").status_code == 404
    assert not CameraView.objects.exists()


def test_a_camera_without_a_stream_cannot_be_opened(dispatcher, client_as, api_as):
    camera = camera_at_gulou("", code="33020300001320099009")
    grant_role(camera)
    with pytest.raises(ValidationError) as exc:
        open_live_view(camera, actor=dispatcher, reason="核实")
    assert "camera" in exc.value.message_dict
    page = client_as(dispatcher).get(f"/video/cameras/{camera.code}/live/")
    assert page.status_code == 200 and "data-no-stream" in page.content.decode()
    assert "data-live-form" not in page.content.decode()
    answer = api_as(dispatcher).post(f"/api/v1/video/cameras/{camera.code}/live/",
                                     {"reason": "核实"}, format="json")
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["camera"]
    assert not CameraView.objects.exists()
