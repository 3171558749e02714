"""Live view (调阅) through short-lived signed links, and the HLS relay behind them.

A viewer never learns a camera's stream address (configuration of the video platform, often
with credentials in it). ``actions.live.open_live_view`` logs one ``CameraView`` and gives a
link ``/video/stream/<token>/<entry>``: ``token`` is the view's ``token_id`` signed with
``django.core.signing`` (salt ``SALT``), so it cannot be made up or changed, and the row says
until when it is good (``expires_at``, ``GRIDGOV_VIDEO_LINK_SECONDS`` after it was issued).

The stream view (``views_live.StreamView``) relays the camera's HLS through that path:

- the playlists are fetched from ``Camera.hls_url`` (``http(s)://``, or a local path under
  ``GRIDGOV_VIDEO_LOCAL_ROOT`` when that is set: the demo and the tests), and every URI in
  them is rewritten to the same signed path. A URI that points outside the directory of the
  configured playlist refuses the playlist (502): the relay fetches nothing but the camera's
  own files, so a link cannot be turned into a fetch of another host (SSRF);
- the other files (segments, init sections, keys) are streamed through, bounded by
  ``GRIDGOV_VIDEO_MAX_SEGMENT_BYTES`` and ``GRIDGOV_VIDEO_FETCH_TIMEOUT``; the name asked for
  must be a plain relative name (no ``..``, no scheme, no host), resolved under the same
  directory. Nothing else is reachable.

The query string of ``hls_url`` (an origin's own access token) is sent with every upstream
request and never shown to the viewer; per-segment query strings of the origin are dropped.
"""

import ipaddress
import logging
import os
import posixpath
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

SALT = "gridgov.video.live"
log = logging.getLogger("gridgov.video")

DEFAULT_LINK_SECONDS = 300
DEFAULT_FETCH_TIMEOUT = 5
DEFAULT_MAX_SEGMENT_BYTES = 16 * 1024 * 1024
# A live playlist lists a few segments; a very long event playlist still fits.
MAX_PLAYLIST_BYTES = 512 * 1024
CHUNK = 64 * 1024
MAX_DEPTH = 4
# One path segment of a relayed name: letters, digits and . _ ~ -, never starting with a dot
# (so neither "." nor ".." nor a hidden file).
SEGMENT_RE = re.compile(r"^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,99}$")
URI_ATTR_RE = re.compile(r'URI="([^"]*)"')
CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".m3u": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".aac": "audio/aac",
    ".m4a": "audio/mp4",
    ".vtt": "text/vtt",
}


def link_seconds() -> int:
    return int(getattr(settings, "GRIDGOV_VIDEO_LINK_SECONDS", DEFAULT_LINK_SECONDS))


def fetch_timeout() -> float:
    return float(getattr(settings, "GRIDGOV_VIDEO_FETCH_TIMEOUT", DEFAULT_FETCH_TIMEOUT))


def max_segment_bytes() -> int:
    return int(getattr(settings, "GRIDGOV_VIDEO_MAX_SEGMENT_BYTES", DEFAULT_MAX_SEGMENT_BYTES))


def local_root() -> Path | None:
    """The directory local HLS sources must lie in, or None (local sources refused).

    ``GRIDGOV_VIDEO_LOCAL_ROOT``; when unset, ``DATA_DIR/video`` for the demo server only
    (``gridgov demo`` marks its server with ``GRIDGOV_DEMO`` after settings are read, so
    this is asked at request time), where ``live_sample`` writes its test stream."""
    from gridgov.core.keys_check import DEMO_ENV

    root = getattr(settings, "GRIDGOV_VIDEO_LOCAL_ROOT", "") or ""
    if not root and os.environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes", "on"}:
        root = str(Path(settings.DATA_DIR) / "video")
    return Path(root).resolve() if root else None


def client_ip(request) -> str | None:
    """The viewer's address for the log (behind a trusted proxy, the forwarded one), or None
    when it is not an IP address."""
    from gridgov.core.context import current_client_ip

    raw = current_client_ip() or request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


# --- the signed token ---------------------------------------------------------------------


def sign(token_id) -> str:
    """The link's token: the view's ``token_id`` (hex) and its signature, URL-safe."""
    return signing.TimestampSigner(salt=SALT).sign(uuid.UUID(str(token_id)).hex)


def unsign(token: str) -> uuid.UUID | None:
    """The ``token_id`` a token was signed for, or None when forged, altered or malformed."""
    try:
        return uuid.UUID(hex=signing.TimestampSigner(salt=SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def is_playlist(name: str) -> bool:
    return posixpath.splitext(name)[1].lower() in (".m3u8", ".m3u")


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(posixpath.splitext(name)[1].lower(), "application/octet-stream")


def clean_name(name: str) -> str | None:
    """``name`` when it is a plain relative name (see the module docstring), else None."""
    parts = (name or "").split("/")
    if not name or len(name) > 300 or len(parts) > MAX_DEPTH:
        return None
    if not all(SEGMENT_RE.match(part) for part in parts):
        return None
    return name


class SourceError(Exception):
    """The camera's stream cannot be relayed: ``status`` (404, 502) and a message for the
    viewer (never the upstream address)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# --- the camera's HLS origin --------------------------------------------------------------


class Source:
    """The camera's configured HLS playlist and the directory its files are relayed from."""

    def __init__(self, hls_url: str):
        hls_url = (hls_url or "").strip()
        parts = urllib.parse.urlsplit(hls_url)
        scheme = parts.scheme.lower()
        self.query = parts.query
        self.remote = scheme in ("http", "https")
        if self.remote:
            if not parts.hostname:
                raise SourceError(502, _("该摄像头的 HLS 地址无效。"))
            path = parts.path or "/"
            self.origin = f"{scheme}://{parts.netloc}"
            self.base = posixpath.dirname(path).rstrip("/") + "/"
            self.entry = posixpath.basename(path) or "index.m3u8"
        elif scheme in ("file", "") and (parts.path or "").startswith("/"):
            root = local_root()
            if root is None:
                raise SourceError(502, _("本系统未允许本地视频源(GRIDGOV_VIDEO_LOCAL_ROOT)。"))
            path = Path(urllib.parse.unquote(parts.path)).resolve()
            if not path.is_relative_to(root):
                raise SourceError(502, _("该摄像头的本地视频源不在允许的目录内。"))
            self.base_dir = path.parent
            # Names inside the directory are worked out as paths under this stand-in root.
            self.base = "/local/"
            self.entry = path.name
        else:
            raise SourceError(404, _("该摄像头未配置 HLS 地址。"))

    # -- names and locations --

    def _location(self, name: str):
        """Where the relayed ``name`` lives upstream (a URL or a local path)."""
        if self.remote:
            url = self.origin + self.base + urllib.parse.quote(name)
            return f"{url}?{self.query}" if self.query else url
        path = (self.base_dir / name).resolve()
        if not path.is_relative_to(self.base_dir):  # a symlink out of the directory
            raise SourceError(404, _("没有这个视频文件。"))
        return path

    def relative(self, uri: str, playlist: str) -> str | None:
        """The relayed name of ``uri`` found in the playlist ``playlist`` (a relayed name),
        or None when it points outside the camera's directory."""
        parts = urllib.parse.urlsplit(uri.strip())
        if parts.scheme or parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}".lower()
            if not self.remote or origin != self.origin.lower():
                return None
            path = parts.path
        elif parts.path.startswith("/"):
            if not self.remote:
                return None
            path = parts.path
        elif parts.path:
            path = self.base + posixpath.join(posixpath.dirname(playlist), parts.path)
        else:
            return None
        path = posixpath.normpath(urllib.parse.unquote(path))
        if not path.startswith(self.base):
            return None
        return clean_name(path[len(self.base):])

    # -- reading --

    def _open(self, name: str):
        location = self._location(name)
        if not self.remote:
            try:
                return open(location, "rb"), location.stat().st_size  # noqa: SIM115
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                raise SourceError(404, _("没有这个视频文件。")) from None
            except OSError:
                raise SourceError(502, _("视频源暂时无法访问。")) from None
        request = urllib.request.Request(location, headers={"User-Agent": "gridgov-video/1"})
        try:
            response = urllib.request.urlopen(request, timeout=fetch_timeout())  # noqa: S310
        except urllib.error.HTTPError as exc:
            log.warning("video source answered %s for %s", exc.code, name)
            status = 404 if exc.code in (403, 404, 410) else 502
            raise SourceError(status, _("视频源暂时无法访问。")) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            log.warning("video source unreachable for %s: %s", name, exc)
            raise SourceError(502, _("视频源暂时无法访问。")) from None
        length = response.headers.get("Content-Length")
        return response, int(length) if length and length.isdigit() else None

    def read(self, name: str, limit: int) -> bytes:
        """The whole file (a playlist), refused over ``limit`` bytes."""
        handle, length = self._open(name)
        with handle:
            if length is not None and length > limit:
                raise SourceError(502, _("视频源的文件过大。"))
            try:
                data = handle.read(limit + 1)
            except OSError:
                raise SourceError(502, _("视频源暂时无法访问。")) from None
        if len(data) > limit:
            raise SourceError(502, _("视频源的文件过大。"))
        return data

    def stream(self, name: str):
        """(chunks, length or None) of a segment, bounded by ``max_segment_bytes``."""
        limit = max_segment_bytes()
        handle, length = self._open(name)
        if length is not None and length > limit:
            handle.close()
            raise SourceError(502, _("视频源的文件过大。"))

        def chunks():
            sent = 0
            try:
                while sent < limit:
                    chunk = handle.read(min(CHUNK, limit - sent))
                    if not chunk:
                        break
                    sent += len(chunk)
                    yield chunk
            except OSError as exc:
                # The answer has started: nothing to do but end it (the player retries).
                log.warning("video source broke off %s: %s", name, exc)
            finally:
                handle.close()

        return chunks(), length


def rewrite_playlist(text: str, source: Source, playlist: str, prefix: str) -> str:
    """The playlist with each URI (segment and playlist lines, ``URI="…"`` attributes) turned
    into ``prefix`` + its relayed name; ``SourceError`` when one points elsewhere."""

    def relay(uri: str) -> str:
        name = source.relative(uri, playlist)
        if name is None:
            log.warning("video playlist %s refers outside its directory", playlist)
            raise SourceError(502, _("视频源的播放列表引用了配置地址以外的资源。"))
        return prefix + urllib.parse.quote(name)

    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            lines.append("")
        elif stripped.startswith("#"):
            lines.append(URI_ATTR_RE.sub(lambda m: f'URI="{relay(m.group(1))}"', stripped))
        else:
            lines.append(relay(stripped))
    return "\n".join(lines) + "\n"


def playlist_body(source: Source, name: str, prefix: str) -> bytes:
    data = source.read(name, MAX_PLAYLIST_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(502, _("视频源的播放列表无法读取。")) from None
    if not text.lstrip().startswith("#EXTM3U"):
        raise SourceError(502, _("视频源的播放列表无法读取。"))
    return rewrite_playlist(text, source, name, prefix).encode("utf-8")


def entry_name(camera) -> str:
    """The name the camera's own playlist is relayed under (its file name upstream)."""
    try:
        return Source(camera.hls_url).entry
    except SourceError:
        return "index.m3u8"


def stream_prefix(token: str) -> str:
    """``/video/stream/<token>/``: what every relayed name of the link is appended to."""
    return reverse("video:stream", kwargs={"token": token, "name": "x"})[:-1]


def stream_url(view) -> str:
    """The link a view gives: its camera's playlist under the view's signed token."""
    return stream_prefix(sign(view.token_id)) + urllib.parse.quote(entry_name(view.camera))
