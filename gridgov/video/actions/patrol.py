"""Video patrol (视频巡查) from a camera: file an event seen on it, with a snapshot.

The event is the intake's (``events.actions.intake.record_video_patrol``: the
``events.report_video`` channel, its checks, its idempotency key and its audit record of
the report step, which keeps the camera's code on the event). This verb adds what the camera
knows: the camera must be one the actor may use (else 404), the point and place are the
camera's, and the snapshot is required and must be a photo (JPEG, PNG or WebP; any other file
is refused on ``snapshot``). No second audit record (``video.report_from_camera``) is
written: the event's own report record already says who filed what from which camera, and a
second one would only say it again.

The snapshot comes as an upload (the page's file field, the API's multipart ``snapshot``) or
as a ``data:image/…;base64,`` URL (the live page's canvas, a JSON API call).
"""

import base64
import binascii
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridgov.events import attachments
from gridgov.events.actions import intake
from gridgov.events.choices import AttachmentKind

from .live import usable_camera

DATA_URL_RE = re.compile(r"^data:(image/[a-z0-9.+-]+);base64,(.*)$", re.S | re.I)
SNAPSHOT_NAME = "snapshot"


def snapshot_file(snapshot) -> tuple[str, bytes]:
    """(name, bytes) of the snapshot, checked to be one photo; ValidationError on
    ``snapshot`` otherwise."""
    if snapshot in (None, "", b""):
        raise ValidationError({"snapshot": _("请附上画面截图。")})
    if isinstance(snapshot, str):
        match = DATA_URL_RE.match(snapshot.strip())
        if match is None:
            raise ValidationError({"snapshot": _("截图须为图片文件或 data:image/…;base64 地址。")})
        try:
            data = base64.b64decode(match.group(2), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({"snapshot": _("截图的 base64 内容无效。")}) from None
        snapshot = (SNAPSHOT_NAME, data)
    prepared = attachments.prepare([snapshot], field="snapshot")
    original = prepared[0]
    if original.kind != AttachmentKind.PHOTO:
        raise ValidationError({"snapshot": _("截图须为 JPEG、PNG 或 WebP 图片。")})
    return original.name, original.data


def report_from_camera(camera, *, actor, description, snapshot, category=None, urgency=None,
                       idempotency_key=None) -> intake.IntakeResult:
    """File a video patrol event from ``camera`` (an instance or its code) with its snapshot
    (see the module docstring). Returns the intake's result (``.event``, ``.created``)."""
    camera = usable_camera(actor, camera)
    upload = snapshot_file(snapshot)
    return intake.record_video_patrol(
        actor=actor, camera_code=camera.code, description=description, lng=camera.lng,
        lat=camera.lat, category=category or None, urgency=urgency or None,
        address=camera.place or camera.name, uploads=[upload],
        idempotency_key=idempotency_key)
