"""Vocabularies of visits (走访)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitKind(models.TextChoices):
    HOME = "home", _("上门")
    PHONE = "phone", _("电话")
    OTHER = "other", _("其他")


class Need(models.TextChoices):
    """Needs a visitor ticks (free text goes to ``needs_note``)."""

    HARDSHIP = "hardship", _("生活困难")
    MEDICAL = "medical", _("就医")
    SAFETY = "safety", _("安全隐患")
    PSYCHOLOGICAL = "psychological", _("心理关怀")
    CARE = "care", _("照料护理")
    POLICY = "policy", _("政策咨询")


class ClosedReason(models.TextChoices):
    """Why a schedule no longer reminds anyone (顺延不再提醒)."""

    DECEASED = "deceased", _("已死亡")
    MOVED_OUT = "moved_out", _("已迁出")
    LEFT_GROUP = "left_group", _("不再属于该关爱人群")
    PLAN_RETIRED = "plan_retired", _("走访计划已停用")
    MERGED = "merged", _("人员已合并")
