"""Vocabularies of the assessment: subject kinds, directions of a weighted item, appeals."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    DEPARTMENT = "department", _("部门")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")
    WORKER = "worker", _("网格员")


# Area kinds: the length of the area code prefix that names the subject.
AREA_CODE_LENGTH = {SubjectKind.STREET: 9, SubjectKind.COMMUNITY: 12, SubjectKind.GRID: 15}


class Direction(models.TextChoices):
    RATE = "rate", _("正向(率)")
    INVERSE = "inverse", _("反向(1 − 率)")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("已同意")
    REJECTED = "rejected", _("已驳回")
