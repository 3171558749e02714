"""The live view in a real browser (``-m browser``): an H.264 HLS test stream made here with
ffmpeg, played through a signed link in Debian's chromium (hls.js over Media Source
Extensions), then a frame captured and filed as a video patrol event with it attached.

Debian's chromium decodes H.264 (``MediaSource.isTypeSupported('video/mp4;
codecs="avc1.42E01E"')`` is true, as for MPEG-TS), so the stream is the plain MPEG-TS HLS a
camera platform serves; no fMP4 or other codec is needed."""

import os
import shutil
from pathlib import Path

import pytest

from gridgov.core.testing import sign_in, wait_for_js
from gridgov.events.choices import AttachmentKind, Source
from gridgov.events.models import Event
from gridgov.video.models import CameraView

from .live_support import camera_at_gulou, ffmpeg_hls, grant_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp"))


@pytest.fixture(autouse=True)
def _database_between_clicks(monkeypatch):
    """The test reads the database between clicks (one request at a time, see
    events/tests/test_browser_intake.py)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def stream(tmp_path, settings):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed")
    settings.GRIDGOV_VIDEO_LOCAL_ROOT = str(tmp_path / "video")
    playlist = ffmpeg_hls(tmp_path / "video" / "cam1", seconds=8)
    camera = camera_at_gulou(str(playlist))
    grant_role(camera)
    return camera


def test_a_granted_dispatcher_plays_the_stream_and_files_a_snapshot(
        stream, browser, server_url, demo_password):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, server_url, "dispatch_gulou", demo_password)

    page.goto(f"{server_url}/video/cameras/{stream.code}/live/")
    page.fill("input[name=reason]", "核实路口拥堵情况")
    page.locator("form[data-live-form] button[type=submit]").click()
    page.locator("video[data-video-player]").wait_for()

    # It plays: frames decoded (readyState >= HAVE_CURRENT_DATA) and the clock moving.
    wait_for_js(page, "(() => { const v = document.querySelector('video');"
                      " return v.readyState >= 2 && v.currentTime > 0.5; })()", timeout=30000)
    assert page.evaluate("document.querySelector('video').videoWidth") == 320
    view = CameraView.objects.get(camera=stream)
    assert view.reason == "核实路口拥堵情况" and view.requests >= 2
    assert view.first_used_at is not None
    page.screenshot(path=str(SHOTS / "video-live-1440.png"))

    # 截图上报: the current frame goes with the patrol form.
    page.locator(".gg-page-head-actions [data-video-snapshot]").click()
    page.wait_for_url(f"**/video/cameras/{stream.code}/report/")
    page.locator("[data-snapshot-preview] img").wait_for()
    assert page.evaluate("document.querySelector('input[name=snapshot]').files.length") == 1
    page.fill("textarea[name=description]", "路口车辆拥堵,信号灯疑似故障")
    page.locator("form[data-video-patrol] button[type=submit]").click()
    page.wait_for_url("**/events/**")

    event = Event.objects.filter(source=Source.VIDEO_PATROL).latest("id")
    assert event.camera_code == stream.code
    assert event.description == "路口车辆拥堵,信号灯疑似故障"
    photo = event.attachments.filter(kind=AttachmentKind.PHOTO, public=False).get()
    assert photo.file.read(3) == b"\xff\xd8\xff"  # the canvas's JPEG
    assert not errors, errors
    context.close()


def test_the_player_stops_and_offers_a_new_view_when_the_relay_refuses(
        stream, browser, server_url, demo_password):
    """A 403 from the relay (link expired, grant revoked) stops the player and shows
    重新调阅; the refusal is answered here by the browser's router so no clock is needed."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  is_mobile=True)
    page = context.new_page()
    sign_in(page, server_url, "dispatch_gulou", demo_password)
    page.goto(f"{server_url}/video/cameras/{stream.code}/live/")
    page.fill("input[name=reason]", "核实")
    page.route("**/video/stream/**", lambda route: route.fulfill(
        status=403, body="调阅链接已过期,请重新调阅。"))
    page.locator("form[data-live-form] button[type=submit]").click()
    wait_for_js(page, "!document.querySelector('[data-video-again]').hidden", timeout=20000)
    assert "播放已停止" in page.locator("[data-video-status]").inner_text()
    page.locator("[data-video-again] a").click()
    page.locator("form[data-live-form]").wait_for()
    context.close()
