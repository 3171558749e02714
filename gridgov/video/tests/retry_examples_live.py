"""Retry examples of the live view and video patrol writes for
gridgov/core/tests/test_retry_every_write.py (merged through ``retry_examples.examples``):
a dispatcher of 鼓楼街道 (``p["dispatcher"]``) with a role grant of a 综合执法 camera opens
its live view and files an event from it (JSON: the snapshot as a data URL)."""

import base64

RETRY_LIVE_CODE = "33020300001320099101"


def _camera():
    from gridgov.video.models import Camera

    from .live_support import camera_at_gulou, grant_role

    camera = Camera.objects.filter(code=RETRY_LIVE_CODE).first()
    if camera is None:
        camera = camera_at_gulou("https://video.example.org/live/retry/index.m3u8",
                                 code=RETRY_LIVE_CODE)
        grant_role(camera)
    return camera


def _snapshot() -> str:
    from .live_support import jpeg

    return "data:image/jpeg;base64," + base64.b64encode(jpeg()).decode()


def examples(Example) -> dict:
    """``{operationId: lambda p: Example(actor, params, body)}``."""
    return {
        "video_cameras_live_create": lambda p: Example(
            p["dispatcher"], {"code": _camera().code}, {"reason": "重试调阅"}),
        "video_cameras_report_create": lambda p: Example(
            p["dispatcher"], {"code": _camera().code},
            {"description": "重试视频巡查上报", "snapshot": _snapshot()}),
    }
