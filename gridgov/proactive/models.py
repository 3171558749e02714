"""Proactive services (主动服务): what the rules start for people and places.

- ``AllowanceTier``: the amounts table of an allowance by age band (高龄津贴: 80–89, 90–99,
  100+), data seeded by migration 0002 and read when a benefit starts.
- ``Benefit``: one benefit a person receives (高龄津贴, 养老金资格认证, 低保), started by a rule
  without application (免申即享) or recorded from the civil-affairs roll, stopped on death
  or move-out with the reason.
- ``ServiceTask``: one piece of proactive work (关爱提醒, 上门服务, 资格认证, 主动巡查, 待遇告知)
  for the grid worker of the person's grid or for a department, closed by a visit or by hand,
  carrying the firing's explanation (which rule, which facts).
- ``Consent``: whether a person agreed to be told by SMS; the latest row counts.

Scope: every row carries the grid code (``area_code``), so ``restrict`` keeps the rows inside
the areas where the principal holds ``proactive.view`` (read) or ``proactive.work`` /
``proactive.consent`` (write); department-bound roles reach the tasks of their department.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import CHANGE, NOTHING, RestrictedQuerySet

from .choices import BenefitKind, BenefitStatus, Channel, TaskKind, TaskState
from .permissions import BENEFITS, CONSENT, VIEW, WORK


class AllowanceTier(models.Model):
    """One age band of an allowance and its monthly amount (data, not code)."""

    kind = models.CharField(_("待遇类型"), max_length=20, choices=BenefitKind.choices)
    min_age = models.PositiveSmallIntegerField(_("起始年龄"))
    max_age = models.PositiveSmallIntegerField(_("截止年龄"), null=True, blank=True)
    label = models.CharField(_("档次"), max_length=40)
    monthly_amount = models.DecimalField(_("每月金额(元)"), max_digits=8, decimal_places=2)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "min_age"]
        verbose_name = _("待遇档次")
        verbose_name_plural = _("待遇档次")
        constraints = [models.UniqueConstraint(fields=["kind", "min_age"],
                                               name="proactive_tier_once")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.label}"

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            return NOTHING
        return None if scope.can(VIEW, BENEFITS) else NOTHING

    @classmethod
    def for_age(cls, kind, age) -> "AllowanceTier | None":
        """The band of ``kind`` covering ``age`` (None: below every band)."""
        if age is None:
            return None
        return (cls.objects.filter(kind=kind, min_age__lte=age)
                .filter(Q(max_age__isnull=True) | Q(max_age__gte=age))
                .order_by("-min_age").first())


class Benefit(models.Model):
    """One benefit of one person: kind, band and amount, since when, until when and why.

    At most one active benefit per person and kind (a constraint): a rule firing again, or
    a person reaching the next age band, never doubles it."""

    person = models.ForeignKey("basedata.Person", verbose_name=_("享受人"),
                               on_delete=models.PROTECT, related_name="benefits")
    kind = models.CharField(_("待遇类型"), max_length=20, choices=BenefitKind.choices)
    tier = models.ForeignKey(AllowanceTier, verbose_name=_("档次"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    monthly_amount = models.DecimalField(_("每月金额(元)"), max_digits=8, decimal_places=2,
                                         null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=BenefitStatus.choices,
                              default=BenefitStatus.ACTIVE, db_index=True)
    started_on = models.DateField(_("起始日期"), db_index=True)
    stopped_on = models.DateField(_("停发日期"), null=True, blank=True)
    stop_reason = models.CharField(_("停发原因"), max_length=200, blank=True)
    without_application = models.BooleanField(_("免申即享"), default=False)
    reason = models.CharField(_("启动依据"), max_length=500, blank=True)
    firing = models.ForeignKey("rules.Firing", verbose_name=_("规则触发"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    next_certification_on = models.DateField(_("下次资格认证日期"), null=True, blank=True)
    area_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("待遇")
        verbose_name_plural = _("待遇")
        constraints = [models.UniqueConstraint(
            fields=["person", "kind"], condition=Q(status="active"),
            name="proactive_one_active_benefit")]

    def __str__(self):
        return f"{self.person_id} {self.get_kind_display()}"

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            return NOTHING  # benefits change only through the rules and the receivers
        return scope.area_q("area_code", BENEFITS, department_bound=False)


class ServiceTask(models.Model):
    """One proactive service: for a person (or a place: ``subject``), to the grid worker of
    the grid (``assignee``) or to a department, due by ``due_at``, with the explanation of
    the rule that raised it (``reason``, ``firing``); closed by a visit or by hand."""

    kind = models.CharField(_("任务类型"), max_length=16, choices=TaskKind.choices)
    title = models.CharField(_("标题"), max_length=120)
    person = models.ForeignKey("basedata.Person", verbose_name=_("服务对象"), null=True,
                               blank=True, on_delete=models.PROTECT,
                               related_name="service_tasks")
    subject = models.CharField(_("地点/对象"), max_length=200, blank=True)
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), on_delete=models.PROTECT,
                             related_name="+")
    area_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办理人"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="service_tasks")
    department = models.ForeignKey("accounts.Department", verbose_name=_("办理部门"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    due_at = models.DateTimeField(_("完成时限"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=TaskState.choices,
                             default=TaskState.OPEN, db_index=True)
    reason = models.TextField(_("生成原因"), blank=True)
    firing = models.ForeignKey("rules.Firing", verbose_name=_("规则触发"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办结人"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    closing_visit = models.ForeignKey("visits.Visit", verbose_name=_("办结走访"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")
    close_note = models.CharField(_("办结说明"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("服务任务")
        verbose_name_plural = _("服务任务")
        indexes = [models.Index(fields=["state", "area_code", "due_at"],
                                name="proactive_task_open"),
                   models.Index(fields=["assignee", "state"], name="proactive_task_mine")]

    def __str__(self):
        return self.title

    @classmethod
    def restrict_q(cls, scope, action):
        perm = WORK if action == CHANGE else VIEW
        q = scope.area_q("area_code", perm, department_bound=False)
        if scope.department_can(perm):
            q |= Q(department_id=scope.department_id)
        return q

    @property
    def is_open(self) -> bool:
        return self.state == TaskState.OPEN

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_open and self.due_at is not None and self.due_at < now

    def closed_on_time(self) -> bool:
        return (self.state == TaskState.DONE and self.closed_at is not None
                and (self.due_at is None or self.closed_at <= self.due_at))


class Consent(models.Model):
    """Whether the person agreed to be told through a channel (短信), recorded by whom and
    when; the person's latest row per channel counts (a history, never edited)."""

    person = models.ForeignKey("basedata.Person", verbose_name=_("人员"),
                               on_delete=models.PROTECT, related_name="consents")
    channel = models.CharField(_("告知方式"), max_length=8, choices=Channel.choices,
                               default=Channel.SMS)
    agreed = models.BooleanField(_("同意告知"))
    area_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now, db_index=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("告知意愿")
        verbose_name_plural = _("告知意愿")
        indexes = [models.Index(fields=["person", "channel", "-recorded_at"],
                                name="proactive_consent_latest")]

    def __str__(self):
        return f"{self.person_id} {self.channel} {self.agreed}"

    @classmethod
    def restrict_q(cls, scope, action):
        perm = CONSENT if action == CHANGE else VIEW
        return scope.area_q("area_code", perm, department_bound=False)
