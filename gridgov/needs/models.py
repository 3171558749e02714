"""Needs analysis (需求分析): what residents need, read from the texts the platform holds.

- ``NeedCategory``: one need category (养老照护, 就医健康 ...) of the vocabulary: its keywords,
  the visit needs (``visits.choices.Need``) it stands for, and the care groups it mainly
  concerns. Data, seeded by migration 0002 and edited by the system administrator.
- ``NeedMention``: the index. One row per (source text, category, resident group): an event's
  description (a hotline work order is an event with source 81890 / 12345), a visit's notes
  and ticked needs, a party member's contact log. ``group`` is a care tag of the person
  (独居老人, 高龄老人 …) when the person is known, else "其他"; a person in two groups gives two
  rows, of which one is ``primary`` (totals count the primary rows only). ``excerpt`` is the
  text masked (no phone, ID or name) for the samples shown to leaders.
- ``NeedCount``: the rollup read by the pages: mentions per (grid, month, group, category);
  ``group=""`` holds the totals over groups (primary rows). Rebuilt per month touched by
  ``gridgov.needs.rollup.refresh`` (a periodic job; on demand from the page).
- ``NeedIndexState``: how far each source has been read (incremental refresh).

Scope: every mention and count carries the grid code (``area_code``), so ``restrict`` keeps
the rows inside the areas where the principal holds ``needs.view``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import CHANGE, NOTHING, RestrictedQuerySet

from .choices import SourceKind
from .permissions import MANAGE, VIEW, VIEW_OVERVIEW


class NeedCategory(models.Model):
    """One category of residents' needs, with the keywords that reveal it in a text."""

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    visit_needs = models.JSONField(_("对应走访需求"), default=list, blank=True)
    care_groups = models.ManyToManyField("basedata.Tag", verbose_name=_("主要涉及人群"),
                                         blank=True, related_name="+",
                                         limit_choices_to={"kind": "care"})
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("最后修改人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("需求分类")
        verbose_name_plural = _("需求分类")

    def __str__(self):
        return self.name

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            return None if scope.can(MANAGE) else NOTHING
        return None if scope.can(VIEW, VIEW_OVERVIEW, MANAGE) else NOTHING


class NeedMention(models.Model):
    """One need category found in one text, for one resident group (the index)."""

    source = models.CharField(_("来源"), max_length=10, choices=SourceKind.choices)
    source_id = models.PositiveBigIntegerField(_("来源编号"))
    category = models.ForeignKey(NeedCategory, verbose_name=_("需求分类"),
                                 on_delete=models.CASCADE, related_name="mentions")
    area_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    month = models.DateField(_("月份"))
    occurred_at = models.DateTimeField(_("发生时间"))
    group = models.CharField(_("人群"), max_length=40)
    primary = models.BooleanField(_("计入合计"), default=True)
    person = models.ForeignKey("basedata.Person", verbose_name=_("人员"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    excerpt = models.CharField(_("摘要(已脱敏)"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("需求记录")
        verbose_name_plural = _("需求记录")
        indexes = [
            models.Index(fields=["source", "source_id"], name="needs_mention_source"),
            models.Index(fields=["month", "area_code"], name="needs_mention_month"),
            models.Index(fields=["person", "occurred_at"], name="needs_mention_person"),
        ]

    def __str__(self):
        return f"{self.source}:{self.source_id} {self.category_id}"

    @classmethod
    def restrict_q(cls, scope, action):
        return scope.area_q("area_code", VIEW) if action != CHANGE else NOTHING


class NeedCount(models.Model):
    """Mentions of one category in one grid, month and resident group (``""``: all groups)."""

    area_code = models.CharField(_("网格编码"), max_length=15)
    month = models.DateField(_("月份"))
    group = models.CharField(_("人群"), max_length=40, blank=True)
    category = models.ForeignKey(NeedCategory, verbose_name=_("需求分类"),
                                 on_delete=models.CASCADE, related_name="counts")
    mentions = models.PositiveIntegerField(_("提及数"), default=0)
    people = models.PositiveIntegerField(_("涉及人数"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["month", "area_code", "group", "category"]
        verbose_name = _("需求统计")
        verbose_name_plural = _("需求统计")
        constraints = [models.UniqueConstraint(fields=["area_code", "month", "group",
                                                       "category"], name="needs_count_once")]
        indexes = [models.Index(fields=["month", "area_code"], name="needs_count_month")]

    def __str__(self):
        return f"{self.area_code} {self.month:%Y-%m} {self.group} {self.category_id}"

    @classmethod
    def restrict_q(cls, scope, action):
        return scope.area_q("area_code", VIEW) if action != CHANGE else NOTHING


class NeedIndexState(models.Model):
    """How far one source has been read: the last id indexed, ids to look at again (held
    events), and the vocabulary the index was built with (a change means a rebuild)."""

    source = models.CharField(_("来源"), max_length=10, unique=True)
    last_id = models.PositiveBigIntegerField(_("已读至编号"), default=0)
    pending = models.JSONField(_("待复查编号"), default=list, blank=True)
    vocabulary = models.CharField(_("词表摘要"), max_length=64, blank=True)
    refreshed_at = models.DateTimeField(_("更新时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("需求索引进度")
        verbose_name_plural = _("需求索引进度")

    def __str__(self):
        return f"{self.source} ≤ {self.last_id}"
