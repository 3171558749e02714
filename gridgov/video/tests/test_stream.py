"""The signed HLS relay: playlists rewritten onto the signed path, segments streamed, each
request counted on the view; expired, forged and revoked links refused; nothing outside the
camera's own directory reachable (no path traversal, no fetch of another host)."""

import datetime as dt
import http.server
import logging
import threading
import urllib.parse
import uuid

import pytest
from django.core import signing
from django.utils import timezone

from gridgov.video import live
from gridgov.video.actions.live import open_live_view
from gridgov.video.models import CameraView

from .live_support import camera_at_gulou, grant_role, write_hls

pytestmark = pytest.mark.django_db


@pytest.fixture
def hls_dir(tmp_path, settings):
    settings.GRIDGOV_VIDEO_LOCAL_ROOT = str(tmp_path / "video")
    (tmp_path / "secret.txt").write_text("not for viewers")
    return tmp_path / "video" / "cam1"


@pytest.fixture
def view(hls_dir, dispatcher):
    playlist = write_hls(hls_dir)
    camera = camera_at_gulou(str(playlist))
    grant_role(camera)
    return open_live_view(camera, actor=dispatcher, reason="核实现场")


def prefix(view) -> str:
    return live.stream_prefix(live.sign(view.token_id))


def get(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_the_playlist_is_rewritten_and_segments_stream_through(view, client):
    url = live.stream_url(view)
    base = url.rsplit("/", 1)[0] + "/"  # the token signs the time too: use this one
    playlist, body = get(client, url)
    assert playlist.status_code == 200, body
    assert playlist["Content-Type"] == "application/vnd.apple.mpegurl"
    assert "no-store" in playlist["Cache-Control"]
    lines = body.decode().splitlines()
    assert f"{base}seg0.ts" in lines and f"{base}sub/seg1.ts" in lines
    segment, data = get(client, f"{base}sub/seg1.ts")
    assert segment.status_code == 200 and segment["Content-Type"] == "video/mp2t"
    assert data == b"\x47" + b"\x01" * 187
    view.refresh_from_db()
    assert view.requests == 2
    assert view.first_used_at is not None and view.last_used_at >= view.first_used_at


def test_an_expired_link_is_refused_and_logged(view, client, caplog):
    caplog.set_level(logging.INFO, logger="gridgov.video")
    CameraView.objects.filter(pk=view.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    response, body = get(client, live.stream_url(view))
    assert response.status_code == 403
    assert "过期" in body.decode()
    assert "expired link refused" in caplog.text
    assert CameraView.objects.get(pk=view.pk).requests == 0


def test_the_lifetime_is_the_setting(hls_dir, dispatcher, client, settings, monkeypatch):
    settings.GRIDGOV_VIDEO_LINK_SECONDS = 60
    camera = camera_at_gulou(str(write_hls(hls_dir)))
    grant_role(camera)
    view = open_live_view(camera, actor=dispatcher, reason="核实")
    assert get(client, live.stream_url(view))[0].status_code == 200
    later = view.issued_at + dt.timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert get(client, live.stream_url(view))[0].status_code == 403


def test_forged_and_altered_tokens_are_refused(view, client, caplog):
    token = live.sign(view.token_id)
    entry = live.entry_name(view.camera)
    other_salt = signing.TimestampSigner(salt="another").sign(view.token_id.hex)
    made_up = live.sign(uuid.uuid4())
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
                token.replace(view.token_id.hex[:4], "0000", 1), other_salt, "x", made_up):
        response, body = get(client, f"/video/stream/{bad}/{entry}")
        assert response.status_code == 403, bad
        assert "无效" in body.decode()
    assert "forged or altered link refused" in caplog.text


def test_a_revoked_grant_stops_the_playlist(view, client):
    assert get(client, live.stream_url(view))[0].status_code == 200
    view.camera.grants.update(revoked_at=timezone.now())
    response, body = get(client, live.stream_url(view))
    assert response.status_code == 403
    assert "无权" in body.decode()


@pytest.mark.parametrize("name", [
    "../secret.txt", "../../secret.txt", "sub/../../secret.txt", "..%2fsecret.txt",
    ".hidden", "sub//seg1.ts", "a/b/c/d/e.ts", "seg0.ts%00.m3u8", "C:\\x.ts",
])
def test_names_outside_the_camera_directory_are_not_served(view, client, name):
    response, body = get(client, prefix(view) + name)
    assert response.status_code in (403, 404), name
    assert b"not for viewers" not in body


def test_a_symlink_out_of_the_directory_is_not_followed(view, hls_dir, client):
    (hls_dir / "link.ts").symlink_to(hls_dir.parent.parent / "secret.txt")
    response, body = get(client, prefix(view) + "link.ts")
    assert response.status_code == 404 and b"not for viewers" not in body


def test_a_playlist_pointing_elsewhere_is_refused(view, hls_dir, client):
    (hls_dir / "index.m3u8").write_text(
        "#EXTM3U\n#EXTINF:1.0,\nhttp://169.254.169.254/latest/meta-data\n#EXT-X-ENDLIST\n")
    response, _body = get(client, live.stream_url(view))
    assert response.status_code == 502
    (hls_dir / "index.m3u8").write_text("#EXTM3U\n#EXTINF:1.0,\n../../secret.txt\n")
    assert get(client, live.stream_url(view))[0].status_code == 502


def test_local_sources_need_the_setting(view, client, settings):
    settings.GRIDGOV_VIDEO_LOCAL_ROOT = ""
    response, body = get(client, live.stream_url(view))
    assert response.status_code == 502 and "GRIDGOV_VIDEO_LOCAL_ROOT" in body.decode()


# --- an http(s) origin -----------------------------------------------------------------------


class _Origin(http.server.BaseHTTPRequestHandler):
    files: dict = {}
    seen: list = []

    def do_GET(self):  # noqa: N802 (the handler's API)
        self.seen.append(self.path)
        path = urllib.parse.urlsplit(self.path).path
        data = self.files.get(path)
        if data is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def origin():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Origin.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}", _Origin
    server.shutdown()
    server.server_close()


def test_an_http_origin_is_relayed_with_its_token_kept_upstream(origin, dispatcher, client,
                                                                settings):
    base, handler = origin
    handler.files = {
        "/live/cam1/index.m3u8": (
            "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:1.0,\n"
            f"{base}/live/cam1/a/seg0.m4s?sig=1\n#EXTINF:1.0,\n/live/cam1/seg1.m4s\n").encode(),
        "/live/cam1/a/seg0.m4s": b"segment-zero",
        "/live/cam1/init.mp4": b"init",
        "/secret": b"not for viewers",
    }
    camera = camera_at_gulou(f"{base}/live/cam1/index.m3u8?auth=s3cret")
    grant_role(camera)
    view = open_live_view(camera, actor=dispatcher, reason="核实")
    url = live.stream_url(view)
    pre = url.rsplit("/", 1)[0] + "/"
    response, body = get(client, url)
    assert response.status_code == 200, body
    text = body.decode()
    assert f'#EXT-X-MAP:URI="{pre}init.mp4"' in text
    assert f"{pre}a/seg0.m4s" in text and f"{pre}seg1.m4s" in text
    assert "s3cret" not in text and "127.0.0.1" not in text
    response, data = get(client, pre + "a/seg0.m4s")
    assert response.status_code == 200 and data == b"segment-zero"
    assert handler.seen == ["/live/cam1/index.m3u8?auth=s3cret",
                            "/live/cam1/a/seg0.m4s?auth=s3cret"]
    assert get(client, pre + "seg9.m4s")[0].status_code == 404
    assert get(client, pre + "../secret")[0].status_code == 404
    settings.GRIDGOV_VIDEO_MAX_SEGMENT_BYTES = 4
    assert get(client, pre + "a/seg0.m4s")[0].status_code == 502


# --- the demo's sample stream ----------------------------------------------------------------


def test_the_demo_sample_stream_plays_through_the_relay(tmp_path, settings, monkeypatch,
                                                        dispatcher, client):
    import shutil

    from gridgov.video import live_sample
    from gridgov.video.models import Camera

    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed")
    settings.DATA_DIR = tmp_path
    settings.GRIDGOV_VIDEO_LOCAL_ROOT = ""
    monkeypatch.setattr(live_sample, "SECONDS", 4)
    camera = camera_at_gulou(code="33020300005320099003")  # a 公安 camera of the grid
    Camera.objects.filter(pk=camera.pk).update(owner=camera.owner.__class__.objects.get(
        code="D015"))
    Camera.objects.filter(area_code=live_sample.GRID, owner__code="D015").exclude(
        pk=camera.pk).update(hls_url="https://video.example.org/x.m3u8")
    assert live_sample.attach_demo_stream() == 1
    from gridgov.audit.models import AuditRecord

    assert AuditRecord.objects.filter(action="video.update_camera",
                                      object_id=str(camera.pk)).exists()
    camera.refresh_from_db()
    assert camera.hls_url == str(tmp_path / "video" / "sample" / "index.m3u8")
    grant_role(camera)
    view = open_live_view(camera, actor=dispatcher, reason="演示")
    # Not the demo server: local sources stay refused.
    assert get(client, live.stream_url(view))[0].status_code == 502
    monkeypatch.setenv("GRIDGOV_DEMO", "1")
    response, body = get(client, live.stream_url(view))
    assert response.status_code == 200 and b"#EXT-X-ENDLIST" in body
    first = next(line for line in body.decode().splitlines() if line.endswith(".ts"))
    segment, data = get(client, first)
    assert segment.status_code == 200 and data[:1] == b"\x47"  # MPEG-TS sync byte
