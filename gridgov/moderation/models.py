"""Harmful-content filtering: the administrator-edited lexicon and the review of held reports.

``LexiconTerm`` rows feed one Aho-Corasick automaton per process (``moderation.matcher``).
``LexiconRevision`` is a single counter moved by every lexicon change, so every process
rebuilds its automaton after a change made elsewhere. ``ModerationCase`` is the review of one
held event: the matched terms and where they were found, and the reviewer's decision.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import NOTHING, RestrictedQuerySet

from .choices import CaseStatus, TermCategory


class LexiconTerm(models.Model):
    """One word or phrase that holds resident-supplied text for review when it occurs.

    Matching is on normalised text (full-width to half-width, case-folded, spaces and common
    separators removed), so "傻 逼" and "ＡＢＣ" are caught like "傻逼" and "abc".
    """

    term = models.CharField(_("词条"), max_length=50, unique=True)
    category = models.CharField(_("类别"), max_length=12, choices=TermCategory.choices,
                                default=TermCategory.OTHER)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["category", "term"]
        verbose_name = _("过滤词条")
        verbose_name_plural = _("过滤词条")

    def __str__(self):
        return self.term

    @classmethod
    def restrict_q(cls, scope, action):
        # Its keepers edit the lexicon; reviewers may read it (to understand a hit). Everyone
        # else, API clients included, sees nothing: the list itself is sensitive (it tells
        # how to get around the filter).
        if scope.can("moderation.manage_lexicon"):
            return None
        if action == "view" and scope.can("moderation.review"):
            return None
        return NOTHING


class LexiconRevision(models.Model):
    """A single-row counter moved by every lexicon change (the automaton's cache key)."""

    number = models.PositiveBigIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("词库版本")
        verbose_name_plural = _("词库版本")

    def __str__(self):
        return str(self.number)

    @classmethod
    def current(cls) -> int:
        row = cls.objects.filter(pk=1).values_list("number", flat=True).first()
        return row or 0

    @classmethod
    def bump(cls) -> int:
        """Move the counter on (inside the caller's transaction)."""
        row, _ = cls.objects.select_for_update().get_or_create(pk=1)
        row.number += 1
        row.save(update_fields=["number"])
        return row.number


class ModerationCaseQuerySet(RestrictedQuerySet):
    def pending(self):
        """Cases still waiting: undecided, and the event still held (a held event released
        through the event workflow itself no longer waits here)."""
        return self.filter(status=CaseStatus.PENDING, event__state="held")


class ModerationCase(models.Model):
    """The review of one held event: which terms matched in which field, and the decision.

    ``hits`` is a list of ``{"field", "term", "category", "start", "end"}`` with offsets
    into the text as it was submitted, so the reviewer sees the terms highlighted in place.
    """

    event = models.OneToOneField("events.Event", verbose_name=_("事件"),
                                 on_delete=models.CASCADE, related_name="moderation_case")
    terms = models.JSONField(_("命中词条"), default=list)
    hits = models.JSONField(_("命中位置"), default=list)
    status = models.CharField(_("状态"), max_length=10, choices=CaseStatus.choices,
                              default=CaseStatus.PENDING, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    remark = models.TextField(_("审核意见"), blank=True)

    objects = ModerationCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("待审核上报")
        verbose_name_plural = _("待审核上报")

    def __str__(self):
        return f"{self.event_id} {self.get_status_display()}"

    @classmethod
    def restrict_q(cls, scope, action):
        # Reviewers (``moderation.review``: intake clerk, shift leader) of the area the event
        # lies in; those who follow them (``moderation.view_held``: leaders too) may read.
        # Everyone else, administrators and API clients included, lacks both: nothing (held
        # text may be abusive or illegal; it is shown only to those who decide on it).
        q = scope.area_q("event__area_code", "moderation.review", department_bound=False)
        if action == "view":
            q |= scope.area_q("event__area_code", "moderation.view_held",
                              department_bound=False)
        return q
