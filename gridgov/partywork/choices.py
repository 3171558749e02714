"""Vocabularies of 党员联系户 and volunteer service."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactWay(models.TextChoices):
    """How a member reached the household (联系方式)."""

    VISIT = "visit", _("上门")
    PHONE = "phone", _("电话")
    WECHAT = "wechat", _("微信")
    OTHER = "other", _("其他")


class ActivityState(models.TextChoices):
    """Where a volunteer activity stands: open for sign-up, finished (hours credited),
    cancelled."""

    OPEN = "open", _("报名中")
    FINISHED = "finished", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class SignupStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("已报名")
    CANCELLED = "cancelled", _("已取消")
    ATTENDED = "attended", _("已参加")
    ABSENT = "absent", _("未参加")


# Statuses that hold a place in an activity (count against its capacity).
HOLDING = (SignupStatus.SIGNED_UP, SignupStatus.ATTENDED)
