"""Vocabularies of the rule engine (规则)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Period(models.TextChoices):
    """How often a rule may fire for one subject (the firing's ``period_key``)."""

    ONCE = "once", _("仅一次")
    YEAR = "year", _("每年一次")
    MONTH = "month", _("每月一次")
    WEEK = "week", _("每周一次")
    DAY = "day", _("每天一次")


class Match(models.TextChoices):
    """How the conditions combine."""

    ALL = "all", _("满足全部条件")
    ANY = "any", _("满足任一条件")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
