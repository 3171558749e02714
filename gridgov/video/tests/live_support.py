"""Helpers of the live view and video patrol tests: a camera in the Gulou grid owned by the
law enforcement bureau (D034), a role grant to the command room's dispatchers, and HLS files
on disk (hand-written, or made by ffmpeg for the browser test)."""

import io
import shutil
import subprocess
from pathlib import Path

from django.utils import timezone
from PIL import Image

from gridgov.accounts.models import Department
from gridgov.areas.models import Area
from gridgov.demo.users import GULOU_GRID
from gridgov.sharing.choices import SharingType
from gridgov.video.models import Camera, CameraGrant

OWNER = "D034"  # 区综合行政执法局: handler_zhifa's department
# GB/T 28181: centre 33020300, industry 00, type 132 (IP camera), network 0, sequence.
CODE = "33020300001320099001"
OTHER_CODE = "33020300001320099002"

PLAYLIST = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:1
#EXT-X-MEDIA-SEQUENCE:0
#EXTINF:1.0,
seg0.ts
#EXTINF:1.0,
sub/seg1.ts
#EXT-X-ENDLIST
"""


def camera_at_gulou(hls_url="", *, code=CODE, sharing=SharingType.CONDITIONAL) -> Camera:
    """A conditional camera in the Gulou grid (point inside it), owned by D034."""
    from gridgov.events.tests.workflow_support import point_in

    grid = Area.objects.get(code=GULOU_GRID)
    lng, lat = point_in(grid.code)
    return Camera.objects.create(
        code=code, name="鼓楼路口东", owner=Department.objects.get(code=OWNER), lng=lng,
        lat=lat, place="中山西路与解放南路交叉口", grid=grid, area_code=grid.code,
        hls_url=hls_url, sharing_type=sharing,
        sharing_condition="指挥中心处置事件时调阅" if sharing == SharingType.CONDITIONAL else "")


def grant_role(camera, role="dispatcher") -> CameraGrant:
    return CameraGrant.objects.create(owner=camera.owner, camera=camera, grantee_role=role,
                                      reason="指挥中心调度", granted_at=timezone.now())


def write_hls(directory: Path, playlist: str = PLAYLIST) -> Path:
    """A small hand-made HLS (playlist + two 'segments') in ``directory``; its playlist."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sub").mkdir(exist_ok=True)
    (directory / "index.m3u8").write_text(playlist)
    (directory / "seg0.ts").write_bytes(b"\x47" + b"\x00" * 187)
    (directory / "sub" / "seg1.ts").write_bytes(b"\x47" + b"\x01" * 187)
    return directory / "index.m3u8"


def ffmpeg_hls(directory: Path, seconds: int = 4) -> Path | None:
    """A real H.264 HLS test stream (ffmpeg's testsrc) in ``directory``; None without ffmpeg."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    playlist = directory / "index.m3u8"
    subprocess.run(
        [ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", f"testsrc=duration={seconds}:size=320x240:rate=10",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-profile:v", "baseline", "-g", "10",
         "-hls_time", "1", "-hls_list_size", "0", "-f", "hls",
         "-hls_segment_filename", str(directory / "seg%03d.ts"), str(playlist)],
        check=True, timeout=120)
    return playlist


def jpeg(size=(64, 48), colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()
