"""Vocabularies of the tasks app: kinds of task, states, how a task was assigned."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskKind(models.TextChoices):
    VERIFY = "verify", _("核查任务")
    COLLECT = "collect", _("采集任务")
    VISIT = "visit", _("走访任务")


class TaskState(models.TextChoices):
    ASSIGNED = "assigned", _("已派发")
    ACCEPTED = "accepted", _("已接收")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


# States in which the task is still to be done (shown first, may become overdue).
OPEN_STATES = (TaskState.ASSIGNED, TaskState.ACCEPTED)


class AssignMode(models.TextChoices):
    NAMED = "named", _("指定网格员")
    NEAREST = "nearest", _("最近的在岗网格员")


class StepAction(models.TextChoices):
    ASSIGN = "assign", _("派发")
    ACCEPT = "accept", _("接收")
    COMPLETE = "complete", _("完成回报")
    CANCEL = "cancel", _("取消")
    REASSIGN = "reassign", _("改派")
