"""The demo's live stream: a test pattern made with ffmpeg, so the live view plays on a
laptop with no camera in reach.

``attach_demo_stream()`` (called by the demo loader) writes a 60-second H.264 HLS test
stream (ffmpeg's ``testsrc2``, MPEG-TS segments of 2 s: what camera platforms serve and every
browser decodes) into ``DATA_DIR/video/sample/`` once, and points the first few 公安
cameras of the demo's first grid at it. The demo server reads local sources from
``DATA_DIR/video`` (``live.local_root``). Without ffmpeg nothing is made and the cameras keep
no HLS address: the live page then says the camera has none (docs/video.md says how to point
a camera at a real HLS URL).
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

SECONDS = 60
CAMERAS = 3
GRID = "330203005001001"  # 鼓楼 grid 1, where the demo's events are


def sample_dir() -> Path:
    return Path(settings.DATA_DIR) / "video" / "sample"


def make_sample_stream(directory: Path, seconds: int | None = None) -> Path | None:
    """The playlist of a test-pattern HLS stream in ``directory`` (made once; written beside
    it and moved in, so two processes never see half a stream); None without ffmpeg."""
    playlist = directory / "index.m3u8"
    if playlist.exists():
        return playlist
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    directory.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".sample-", dir=directory.parent))
    try:
        subprocess.run(
            [ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi",
             "-i", f"testsrc2=duration={seconds or SECONDS}:size=640x360:rate=15",
             "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
             "-profile:v", "main", "-g", "30", "-hls_time", "2", "-hls_list_size", "0",
             "-hls_playlist_type", "vod", "-f", "hls",
             "-hls_segment_filename", str(work / "seg%03d.ts"), str(work / "index.m3u8")],
            check=True, timeout=300, capture_output=True)
        try:
            os.replace(work, directory)
        except OSError:
            pass  # another process moved its copy in first: that one is used
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return playlist if playlist.exists() else None


def attach_demo_stream(*, stdout=None) -> int:
    """Point the demo's first 公安 cameras of ``GRID`` without an HLS address at the sample
    stream; returns how many (0 without ffmpeg). Through ``update_camera`` as the system
    loader (audited, like every change of a camera's streams)."""
    from .actions import update_camera
    from .models import Camera

    playlist = make_sample_stream(sample_dir())
    if playlist is None:
        if stdout is not None:
            stdout.write("演示视频流 sample stream: ffmpeg not found, none made\n")
        return 0
    cameras = list(Camera.objects.filter(owner__code="D015", area_code=GRID, is_active=True,
                                         hls_url="").order_by("code")[:CAMERAS])
    for camera in cameras:
        update_camera(camera, actor=None, hls_url=str(playlist))
    updated = len(cameras)
    if stdout is not None:
        stdout.write(f"演示视频流 sample stream: {updated} cameras\n")
    return updated
