"""The rule engine's data: rules an administrator edits, their firings and the runs.

- ``Rule``: data, never code. A subject (``"person"``, ``"hotspot"``), a list of conditions
  ``[{"fact": "age", "op": ">=", "value": 80}, ...]`` over the facts declared in the apps'
  ``rule_specs.py`` (``gridgov.rules.registry``), how they combine (``match``), one outcome
  (``"proactive.benefit"`` …) with its parameters, how often it may fire per subject
  (``period``) and the area it applies in (``area_code``; empty = the whole district).
- ``Firing``: the rule fired for one subject in one period (``period_key`` "once", "2026",
  "2026-12", "2026-W49", "2026-12-02"). The unique constraint on (rule, subject, period) is
  what makes a run idempotent. ``facts`` is the explanation: the values of the facts the
  conditions used; ``outcome_type``/``outcome_id`` point at what the outcome created.
- ``RuleRun``: one evaluation (nightly or by hand) with its counts and duration.

Scope: a rule is configuration, seen by whoever holds ``rules.view`` or ``rules.manage`` and
changed with ``rules.manage``; a firing carries the subject's grid code (``area_code``) and is
seen inside the areas where the principal holds ``rules.view`` (or ``rules.manage``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import CHANGE, NOTHING, RestrictedQuerySet

from .choices import Match, Period, RunStatus
from .permissions import MANAGE, VIEW


class Rule(models.Model):
    """A proactive-service rule: when a subject meets the conditions, fire the outcome once
    per period (a data record the administrator edits through forms; no code, no eval)."""

    name = models.CharField(_("规则名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=500, blank=True)
    subject = models.CharField(_("对象"), max_length=20)
    conditions = models.JSONField(_("条件"), default=list, blank=True)
    match = models.CharField(_("条件组合"), max_length=3, choices=Match.choices,
                             default=Match.ALL)
    outcome = models.CharField(_("结果"), max_length=60)
    outcome_params = models.JSONField(_("结果参数"), default=dict, blank=True)
    period = models.CharField(_("触发周期"), max_length=5, choices=Period.choices,
                              default=Period.ONCE)
    area_code = models.CharField(_("适用区域"), max_length=15, blank=True, db_index=True)
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("最后修改人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("规则")
        verbose_name_plural = _("规则")

    def __str__(self):
        return self.name

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            return None if scope.can(MANAGE) else NOTHING
        return None if scope.can(VIEW, MANAGE) else NOTHING


class RuleRun(models.Model):
    """One evaluation of the active rules (nightly, from the CLI or the run-now button)."""

    evaluated_on = models.DateField(_("评估日期"))
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时(毫秒)"), default=0)
    status = models.CharField(_("状态"), max_length=8, choices=RunStatus.choices,
                              default=RunStatus.RUNNING)
    rules_evaluated = models.PositiveIntegerField(_("评估规则数"), default=0)
    candidates = models.PositiveIntegerField(_("符合条件数"), default=0)
    fired = models.PositiveIntegerField(_("触发数"), default=0)
    skipped = models.PositiveIntegerField(_("已触发跳过数"), default=0)
    errors = models.PositiveIntegerField(_("错误数"), default=0)
    detail = models.JSONField(_("明细"), default=list, blank=True)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("触发人"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("规则运行")
        verbose_name_plural = _("规则运行")

    def __str__(self):
        return f"{self.evaluated_on} {self.fired}"

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            return None if scope.can(MANAGE) else NOTHING
        return None if scope.can(VIEW, MANAGE) else NOTHING


class Firing(models.Model):
    """A rule fired for one subject in one period, with the facts that made it fire."""

    rule = models.ForeignKey(Rule, verbose_name=_("规则"), on_delete=models.PROTECT,
                             related_name="firings")
    rule_version = models.PositiveIntegerField(_("规则版本"), default=1)
    run = models.ForeignKey(RuleRun, verbose_name=_("运行"), null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="firings")
    subject_type = models.CharField(_("对象类型"), max_length=20)
    subject_id = models.CharField(_("对象编号"), max_length=80)
    subject_label = models.CharField(_("对象"), max_length=200, blank=True)
    period_key = models.CharField(_("周期"), max_length=12)
    area_code = models.CharField(_("区域编码"), max_length=15, db_index=True)
    fired_at = models.DateTimeField(_("触发时间"), default=timezone.now, db_index=True)
    facts = models.JSONField(_("依据"), default=dict, blank=True)
    explanation = models.CharField(_("说明"), max_length=500, blank=True)
    outcome_type = models.CharField(_("结果类型"), max_length=60, blank=True)
    outcome_id = models.CharField(_("结果编号"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-fired_at", "-pk"]
        verbose_name = _("规则触发记录")
        verbose_name_plural = _("规则触发记录")
        constraints = [models.UniqueConstraint(
            fields=["rule", "subject_type", "subject_id", "period_key"],
            name="rules_fire_once_per_period")]
        indexes = [models.Index(fields=["subject_type", "subject_id"],
                                name="rules_firing_subject")]

    def __str__(self):
        return f"{self.rule_id} {self.subject_type}:{self.subject_id} {self.period_key}"

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            return scope.area_q("area_code", MANAGE)
        return scope.area_q("area_code", VIEW) | scope.area_q("area_code", MANAGE)
