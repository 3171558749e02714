"""The video platform's verbs (every write, audited). The registry's (H1) are re-exported
here; the live view and video patrol live in ``actions.live`` and ``actions.patrol``."""

from .grants import grant_cameras, revoke_camera_grant
from .imports import import_cameras
from .registry import (
    bulk_register,
    register_camera,
    retire_camera,
    set_camera_status,
    update_camera,
)

__all__ = ["bulk_register", "grant_cameras", "import_cameras", "register_camera",
           "retire_camera", "set_camera_status", "update_camera", "revoke_camera_grant"]
