"""Weighted schemes, frozen monthly snapshots with their per-case inputs, and appeals.

Scope: a snapshot's cases (``SnapshotCase``) and appeals carry the case's area code and
department, so ``restrict`` keeps what the person's areas (``events.view``) or department
reach, the same rule as the events themselves; schemes are read by everyone who may see the
assessment and changed only by their keepers (``assess.manage_scheme``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import NOTHING, RestrictedQuerySet

from .choices import AppealStatus, Direction, SubjectKind


def _case_q(scope) -> Q:
    """Rows of cases inside the person's areas, or of the person's department."""
    q = scope.area_q("area_code", "events.view", department_bound=False)
    if scope.department_can("events.view"):
        q |= Q(department_id=scope.department_id)
    return q


class Scheme(models.Model):
    """A weighted assessment scheme (考核方案): items of rate indicators with weights."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    description = models.TextField(_("说明"), blank=True)
    # Subject kinds the scheme applies to (``SubjectKind`` values).
    kinds = models.JSONField(_("适用对象"), default=list)
    is_default = models.BooleanField(_("默认方案"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                               name="assess_one_default_scheme")]

    def __str__(self):
        return self.name

    @classmethod
    def restrict_q(cls, scope, action):
        if action == "change":
            return None if scope.can("assess.manage_scheme") else NOTHING
        return None if scope.can("assess.view", "assess.manage_scheme") else NOTHING

    def total_weight(self):
        return sum(item.weight for item in self.items.all())


class SchemeItem(models.Model):
    """One weighted rate of a scheme: ``weight × rate`` or ``weight × (1 − rate)``."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("方案"), on_delete=models.CASCADE,
                               related_name="items")
    indicator = models.CharField(_("指标"), max_length=40)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices,
                                 default=Direction.RATE)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["scheme", "order", "id"]
        verbose_name = _("方案指标")
        verbose_name_plural = _("方案指标")
        constraints = [models.UniqueConstraint(fields=["scheme", "indicator"],
                                               name="assess_scheme_item_once")]

    def __str__(self):
        return f"{self.indicator} × {self.weight}"


class Snapshot(models.Model):
    """A frozen assessment of one period under one scheme (a version; never edited)."""

    period_kind = models.CharField(_("周期类型"), max_length=10)
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("结束日期"))
    scheme = models.ForeignKey(Scheme, verbose_name=_("方案"), on_delete=models.PROTECT,
                               related_name="snapshots")
    # The scheme's items as they were: the score is reproducible after the scheme changes.
    scheme_items = models.JSONField(_("方案指标"), default=list)
    version = models.PositiveIntegerField(_("版本"))
    as_of = models.DateTimeField(_("数据截止时间"))
    frozen_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("生成人"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    case_count = models.PositiveIntegerField(_("案件数"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-version"]
        verbose_name = _("考核快照")
        verbose_name_plural = _("考核快照")
        constraints = [models.UniqueConstraint(
            fields=["period_kind", "period_start", "period_end", "scheme", "version"],
            name="assess_snapshot_version")]

    def __str__(self):
        return f"{self.period_start:%Y-%m} v{self.version}"

    @classmethod
    def restrict_q(cls, scope, action):
        if action == "change":
            return NOTHING
        return None if scope.can("assess.view") else NOTHING


# The per-case inputs of a snapshot: one boolean column per counted indicator.
CASE_FLAGS = (
    "reported", "accepted", "filed", "filed_on_time", "dispatched", "dispatched_accurate",
    "handled", "handled_on_time", "handled_late", "due", "closed", "closed_on_time",
    "closed_late", "reworked", "extended", "self_resolved", "overdue_pending",
)


class SnapshotCase(models.Model):
    """One case of a snapshot with what it counted for (the snapshot's inputs)."""

    snapshot = models.ForeignKey(Snapshot, verbose_name=_("快照"), on_delete=models.CASCADE,
                                 related_name="cases")
    event = models.ForeignKey("events.Event", verbose_name=_("事件"), on_delete=models.PROTECT,
                              related_name="+")
    number = models.CharField(_("事件编号"), max_length=20)
    area_code = models.CharField(_("网格编码"), max_length=15)
    department_id = models.IntegerField(_("责任部门"), null=True, blank=True)
    reporter_id = models.IntegerField(_("巡查上报人"), null=True, blank=True)
    accept_hours = models.FloatField(_("受理时长(小时)"), null=True, blank=True)
    handle_hours = models.FloatField(_("处置时长(小时)"), null=True, blank=True)
    # Indicators an accepted appeal took the case out of (comma separated codes).
    waived = models.CharField(_("已申诉核减"), max_length=200, blank=True)
    reported = models.BooleanField(default=False)
    accepted = models.BooleanField(default=False)
    filed = models.BooleanField(default=False)
    filed_on_time = models.BooleanField(default=False)
    dispatched = models.BooleanField(default=False)
    dispatched_accurate = models.BooleanField(default=False)
    handled = models.BooleanField(default=False)
    handled_on_time = models.BooleanField(default=False)
    handled_late = models.BooleanField(default=False)
    due = models.BooleanField(default=False)
    closed = models.BooleanField(default=False)
    closed_on_time = models.BooleanField(default=False)
    closed_late = models.BooleanField(default=False)
    reworked = models.BooleanField(default=False)
    extended = models.BooleanField(default=False)
    self_resolved = models.BooleanField(default=False)
    overdue_pending = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["snapshot", "number"]
        verbose_name = _("考核快照案件")
        verbose_name_plural = _("考核快照案件")
        indexes = [models.Index(fields=["snapshot", "area_code"]),
                   models.Index(fields=["snapshot", "department_id"])]

    def __str__(self):
        return self.number

    @classmethod
    def restrict_q(cls, scope, action):
        if action == "change":
            return NOTHING
        return _case_q(scope)


class SnapshotResult(models.Model):
    """The district-wide result of one subject in a snapshot: score, figures, rank."""

    snapshot = models.ForeignKey(Snapshot, verbose_name=_("快照"), on_delete=models.CASCADE,
                                 related_name="results")
    kind = models.CharField(_("对象类型"), max_length=12, choices=SubjectKind.choices)
    subject = models.CharField(_("对象"), max_length=20)
    label = models.CharField(_("名称"), max_length=100)
    score = models.FloatField(_("得分"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    figures = models.JSONField(_("指标"), default=dict)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["snapshot", "kind", "rank", "subject"]
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        constraints = [models.UniqueConstraint(fields=["snapshot", "kind", "subject"],
                                               name="assess_result_once")]

    def __str__(self):
        return f"{self.kind}:{self.subject}"

    @classmethod
    def restrict_q(cls, scope, action):
        # District-wide rows: only who sees the whole district (else read the cases).
        if action == "change":
            return NOTHING
        return None if scope.can("assess.view") else NOTHING


def appeal_path(instance, filename):
    return f"assess/appeals/{timezone.now():%Y/%m}/{filename}"


class Appeal(models.Model):
    """A department's appeal (申诉) against one indicator a case counted for against it."""

    event = models.ForeignKey("events.Event", verbose_name=_("事件"), on_delete=models.PROTECT,
                              related_name="+")
    department = models.ForeignKey("accounts.Department", verbose_name=_("申诉部门"),
                                   on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    indicator = models.CharField(_("申诉指标"), max_length=40)
    reason = models.TextField(_("申诉理由"))
    attachment = models.FileField(_("附件"), upload_to=appeal_path, blank=True, max_length=255)
    status = models.CharField(_("状态"), max_length=10, choices=AppealStatus.choices,
                              default=AppealStatus.PENDING, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申诉人"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("申诉时间"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("考核申诉")
        verbose_name_plural = _("考核申诉")
        constraints = [models.UniqueConstraint(
            fields=["event", "indicator"], condition=~Q(status="rejected"),
            name="assess_one_open_appeal")]

    def __str__(self):
        return f"{self.event_id} {self.indicator} {self.get_status_display()}"

    @classmethod
    def restrict_q(cls, scope, action):
        # Departments: their own appeals; shift leaders / leaders: appeals on cases in
        # their areas (deciding needs ``assess.decide_appeal`` there).
        perm = "assess.decide_appeal" if action == "change" else "events.view"
        q = scope.area_q("area_code", perm, department_bound=False)
        if scope.department_can("assess.appeal"):
            q |= Q(department_id=scope.department_id)
        return q
