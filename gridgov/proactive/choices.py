"""Vocabularies of proactive services (主动服务).

Benefit kinds are ``TextChoices``: a new kind (e.g. 残疾人两项补贴) is a code change of one
line plus a migration of the choices, which is acceptable because each kind also needs its
own rule outcome and, usually, its own amounts table rows (``AllowanceTier``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BenefitKind(models.TextChoices):
    ELDERLY_ALLOWANCE = "elderly_allowance", _("高龄津贴")
    PENSION = "pension", _("养老金领取资格认证")
    SUBSISTENCE = "subsistence", _("低保")


class BenefitStatus(models.TextChoices):
    ACTIVE = "active", _("享受中")
    STOPPED = "stopped", _("已停发")


class TaskKind(models.TextChoices):
    ALERT = "alert", _("关爱提醒")
    HOME_VISIT = "home_visit", _("上门服务")
    CERTIFICATION = "certification", _("资格认证")
    INSPECTION = "inspection", _("主动巡查")
    BENEFIT_NOTICE = "benefit_notice", _("待遇告知")


# Task kinds a visit to the person closes (the visit is the service).
VISIT_CLOSES = frozenset({TaskKind.ALERT, TaskKind.HOME_VISIT, TaskKind.CERTIFICATION,
                          TaskKind.BENEFIT_NOTICE})


class TaskState(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class Target(models.TextChoices):
    """Who a rule's service task goes to."""

    GRID_WORKER = "grid_worker", _("所在网格的网格员")
    DEPARTMENT = "department", _("指定部门")


class Channel(models.TextChoices):
    SMS = "sms", _("短信")


# Person.status values that end the services (gridgov.basedata.choices.PersonStatus).
ENDED_STATUSES = {"deceased": _("死亡"), "moved_out": _("迁出")}
