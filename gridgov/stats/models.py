"""What residents ask for (民意热词): the keyword dictionary and the per-event term index.

- ``KeywordTerm``: the user dictionary an administrator edits (``stats.manage_keywords``):
  place names (地名) and governance terms (治理术语) that jieba must keep whole, and stop words
  (停用词) dropped from the analysis. Street and community names are not stored here: they
  are read from the area table at run time (``stats.keywords.place_names``).
- ``KeywordRevision``: one row, a counter moved by every dictionary change (the tokenizer's
  cache key in every process) and the revision the index was last fully built with.
- ``EventTerm``: the distinct terms of one event's description, written once when the event
  is reported (on commit) or by ``gridgov rebuild_keywords``; the page's counts are a GROUP
  BY over it. An event whose description has no term gets one row with the empty term, so
  "indexed" is the same as "has a row".
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import NOTHING, RestrictedQuerySet

MANAGE = "stats.manage_keywords"


class TermKind(models.TextChoices):
    PLACE = "place", _("地名")
    GOVERNANCE = "governance", _("治理术语")
    STOP = "stop", _("停用词")


class KeywordTerm(models.Model):
    """One word of the user dictionary (a place, a governance term or a stop word)."""

    term = models.CharField(_("词条"), max_length=20, unique=True)
    kind = models.CharField(_("类别"), max_length=12, choices=TermKind.choices,
                            default=TermKind.GOVERNANCE)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "term"]
        verbose_name = _("热词词典词条")
        verbose_name_plural = _("热词词典词条")

    def __str__(self):
        return self.term

    @classmethod
    def restrict_q(cls, scope, action):
        # Its keepers read and edit it; the readers of the statistics read it (the page says
        # which terms are dictionary words).
        if scope.can(MANAGE):
            return None
        if action == "view" and scope.can("stats.view"):
            return None
        return NOTHING


class KeywordRevision(models.Model):
    """The dictionary's revision (moved by every edit) and the one the index was built with."""

    number = models.PositiveBigIntegerField(_("词典版本"), default=0)
    indexed_number = models.PositiveBigIntegerField(_("索引所用词典版本"), default=0)
    indexed_at = models.DateTimeField(_("索引重建时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("热词词典版本")
        verbose_name_plural = _("热词词典版本")

    def __str__(self):
        return str(self.number)

    @classmethod
    def current(cls) -> "KeywordRevision":
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @classmethod
    def bump(cls) -> int:
        """Move the counter on (inside the caller's transaction)."""
        row, _ = cls.objects.select_for_update().get_or_create(pk=1)
        row.number += 1
        row.save(update_fields=["number"])
        return row.number


class EventTerm(models.Model):
    """One distinct term of one event's description (the event's report time copied, so a
    period is an index range on this table)."""

    event = models.ForeignKey("events.Event", verbose_name=_("事件"), on_delete=models.CASCADE,
                              related_name="keyword_terms")
    term = models.CharField(_("词"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("上报时间"))

    class Meta:
        verbose_name = _("事件热词")
        verbose_name_plural = _("事件热词")
        constraints = [models.UniqueConstraint(fields=["event", "term"],
                                               name="stats_eventterm_event_term")]
        indexes = [
            models.Index(fields=["created_at", "term"], name="stats_eventterm_at_term"),
            models.Index(fields=["term", "created_at"], name="stats_eventterm_term_at"),
        ]

    def __str__(self):
        return f"{self.event_id}:{self.term}"
