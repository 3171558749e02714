"""Vocabularies of the video resource registry (视频资源整合共享平台).

The sharing classes are the data resource centre's (``sharing.choices.SharingType``): a camera
is shared unconditionally, on a grant, or not at all, like any other resource.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.sharing.choices import SharingType  # noqa: F401  (re-exported for the app)


class CameraKind(models.TextChoices):
    """The camera's build, as the departments' inventories name it."""

    BULLET = "bullet", _("枪机")
    DOME = "dome", _("球机")
    HALF_DOME = "half_dome", _("半球")
    PANORAMIC = "panoramic", _("全景")
    HIGH_POINT = "high_point", _("高点瞭望")
    CHECKPOINT = "checkpoint", _("卡口")


class CameraStatus(models.TextChoices):
    ONLINE = "online", _("在线")
    OFFLINE = "offline", _("离线")
    FAULT = "fault", _("故障")
