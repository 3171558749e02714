"""Choices of the patrols app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PatrolState(models.TextChoices):
    ACTIVE = "active", _("巡查中")
    ENDED = "ended", _("已结束")


class EndKind(models.TextChoices):
    STOPPED = "stopped", _("网格员结束")
    AUTO = "auto", _("超时自动结束")
