"""Checks shared by the camera registry's verbs: who may write, where a point lies, and the
shape of a camera's fields."""

import hashlib
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.areas.datum import to_wgs84
from gridgov.areas.index import lookup_grid
from gridgov.events.actions.intake import clean_point, validate_camera_code
from gridgov.sharing.checks import actor_user, choice, require_publisher, text
from gridgov.sharing.checks import validate_sharing as _validate_sharing

from ..choices import CameraKind, CameraStatus, SharingType
from ..permissions import MANAGE

__all__ = ["CAMERA_FIELDS", "actor_user", "after_write", "camera_state", "choice", "clean_code",
           "clean_kind", "clean_status", "clean_urls", "locate", "require_manager", "text",
           "validate_sharing"]

URL_SCHEMES = {
    "rtsp_url": ("rtsp://", "rtsps://"),
    "hls_url": ("http://", "https://", "/"),
    "webrtc_url": ("http://", "https://", "ws://", "wss://", "webrtc://"),
}
URL_RE = re.compile(r"^\S+$")

# The fields the audit record keeps as they are. Stream URLs may carry the device's user and
# password (rtsp://admin:pw@...), so the record keeps only a digest of each (see camera_state).
CAMERA_FIELDS = ("code", "name", "owner", "kind", "lng", "lat", "place", "grid", "area_code",
                 "status", "sharing_type", "sharing_condition", "legal_basis", "installed_on",
                 "is_active")


def require_manager(actor, owner):
    """The owner's managers (``video.manage`` held for the department), or the system."""
    return require_publisher(actor, owner, MANAGE)


def clean_code(code, field="code") -> str:
    """A GB/T 28181 20-digit device code that delivers video (the events' own check)."""
    return validate_camera_code(code, field)


def locate(lng, lat, crs="wgs84"):
    """(WGS-84 lng, lat, grid) of a point given in ``crs``; the grid from the same point index
    the events use (outside every grid: ``ValidationError`` on "location")."""
    lng, lat, crs = clean_point(lng, lat, crs)
    wlng, wlat = to_wgs84(lng, lat, crs)
    grid = lookup_grid(wlng, wlat)
    return round(wlng, 7), round(wlat, 7), grid


def clean_urls(values: dict) -> dict:
    """The stream endpoints, each empty or an address of its protocol."""
    out = {}
    for name, schemes in URL_SCHEMES.items():
        if name not in values:
            continue
        value = text(values[name], name, required=False, max_length=500)
        if value and (not value.lower().startswith(schemes) or not URL_RE.match(value)):
            raise ValidationError({name: _("地址格式无效,应以 %(s)s 开头。")
                                   % {"s": " / ".join(schemes)}})
        out[name] = value
    return out


def validate_sharing(sharing_type, sharing_condition, legal_basis):
    choice(sharing_type, SharingType, "sharing_type")
    _validate_sharing(sharing_type, sharing_condition, legal_basis)


def clean_kind(kind) -> str:
    return choice(kind or CameraKind.BULLET, CameraKind, "kind")


def clean_status(status) -> str:
    return choice(status or CameraStatus.ONLINE, CameraStatus, "status")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16] if value else ""


def camera_state(camera) -> dict:
    """The audit record's view of a camera (stream URLs as digests)."""
    from gridgov.audit.recorder import snapshot

    state = snapshot(camera, CAMERA_FIELDS)
    for name in URL_SCHEMES:
        state[name] = _digest(getattr(camera, name))
    return state


def after_write() -> None:
    """Let this process's nearby index rebuild: now (the same connection reads the change at
    once) and again at commit (another thread may have rebuilt before the commit)."""
    from ..nearby import invalidate

    invalidate()
    transaction.on_commit(invalidate)

