"""Vocabularies of harmful-content filtering."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TermCategory(models.TextChoices):
    """Why a word is in the lexicon (shown to the reviewer beside each hit)."""

    ILLEGAL = "illegal", _("违法犯罪")
    VIOLENCE = "violence", _("暴力威胁")
    FRAUD = "fraud", _("诈骗广告")
    ABUSE = "abuse", _("辱骂攻击")
    PORN = "porn", _("色情低俗")
    OTHER = "other", _("其他")


class CaseStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已放行")
    REJECTED = "rejected", _("已驳回")
