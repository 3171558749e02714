"""Visit plans per care group, the schedule of each person in care, and the visits.

- ``VisitPlan``: how often (every ``interval_days`` days) the people of one care-group tag
  (``basedata.Tag`` of kind ``care``) are visited, district-wide or inside one area (the most
  specific active plan of a tag applies to a person). Data, edited by the administrator.
- ``VisitSchedule``: one row per (person, plan) that applies to the person, kept up to date
  by the actions (``gridgov.visits.actions``): the last visit, the next due date, and whether
  the row governs the person (the shortest interval among the person's open rows). The
  overdue list is then one indexed query on (``governing``, ``next_due``) inside the areas.
- ``Visit``: one contact with a person (上门 / 电话 / 其他), with the device's time and
  position, the needs noted, photos, and the client's id (the outbox's idempotency key).

Scope: every row carries the person's grid code (``area_code``), so ``restrict`` keeps the
rows inside the areas where the principal holds ``visits.view`` (read) or ``visits.visit``
(write) and also ``basedata.view_people`` (the rows name people in care).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.models import PrivateFile
from gridgov.core.querysets import CHANGE, NOTHING, RestrictedQuerySet

from .choices import ClosedReason, VisitKind
from .permissions import MANAGE_PLANS, VIEW, VISIT


def _area_scoped(scope, action):
    """Rows of the areas where the principal holds the visits permission *and* may see the
    people (``basedata.view_people``): a visit, a schedule or a photo names a person in care,
    so a role given ``visits.view`` alone (an administrator may grant it) reads no names."""
    from gridgov.basedata.permissions import VIEW_PEOPLE

    return (scope.area_q("area_code", VISIT if action == CHANGE else VIEW)
            & scope.area_q("area_code", VIEW_PEOPLE))


class VisitPlan(models.Model):
    """How often the people of one care group are visited (every N days), district-wide
    (``area_code`` empty) or inside one area (a street, community or grid code)."""

    tag = models.ForeignKey("basedata.Tag", verbose_name=_("关爱人群"), on_delete=models.PROTECT,
                            related_name="visit_plans", limit_choices_to={"kind": "care"})
    area_code = models.CharField(_("适用区域"), max_length=15, blank=True, db_index=True)
    interval_days = models.PositiveSmallIntegerField(_("走访周期(天)"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("最后修改人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["tag__name", "area_code", "pk"]
        verbose_name = _("走访计划")
        verbose_name_plural = _("走访计划")
        constraints = [models.UniqueConstraint(
            fields=["tag", "area_code"], condition=Q(is_active=True),
            name="visits_one_active_plan")]

    def __str__(self):
        return f"{self.tag.name} · {self.interval_days}"

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            return None if scope.can(MANAGE_PLANS) else NOTHING
        return None if scope.can(VIEW, VISIT, MANAGE_PLANS) else NOTHING


class VisitSchedule(models.Model):
    """When the person is next due a visit under one plan (kept by the actions).

    ``next_due`` = (the last visit's local date, else ``opened_on``) + the plan's interval;
    ``governing`` marks the person's open row with the shortest interval (one per person),
    the one the lists read. A closed row (``closed_at``) reminds nobody."""

    person = models.ForeignKey("basedata.Person", verbose_name=_("走访对象"),
                               on_delete=models.CASCADE, related_name="visit_schedules")
    plan = models.ForeignKey(VisitPlan, verbose_name=_("走访计划"), on_delete=models.CASCADE,
                             related_name="schedules")
    area_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    interval_days = models.PositiveSmallIntegerField(_("走访周期(天)"))
    opened_on = models.DateField(_("纳入日期"), default=timezone.localdate)
    last_visit_at = models.DateTimeField(_("最近走访"), null=True, blank=True)
    next_due = models.DateField(_("下次应走访"))
    governing = models.BooleanField(_("主计划"), default=False)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_reason = models.CharField(_("关闭原因"), max_length=16, blank=True,
                                     choices=ClosedReason.choices)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["next_due", "pk"]
        verbose_name = _("走访排期")
        verbose_name_plural = _("走访排期")
        constraints = [models.UniqueConstraint(fields=["person", "plan"],
                                               name="visits_schedule_once")]
        indexes = [models.Index(fields=["next_due", "area_code"],
                                condition=Q(governing=True, closed_at__isnull=True),
                                name="visits_schedule_due")]

    def __str__(self):
        return f"{self.person_id} → {self.next_due}"

    @classmethod
    def restrict_q(cls, scope, action):
        return _area_scoped(scope, action)

    def days_overdue(self, today=None) -> int:
        today = today or timezone.localdate()
        return max((today - self.next_due).days, 0)


class Visit(models.Model):
    """One contact with a person in care: who, when (device time), how, notes, needs,
    photos and where the device was. ``client_id`` is the outbox's id (one visit per id)."""

    person = models.ForeignKey("basedata.Person", verbose_name=_("走访对象"),
                               on_delete=models.PROTECT, related_name="visits")
    area_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("走访人"),
                                null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    visitor_name = models.CharField(_("走访人姓名"), max_length=60, blank=True)
    visited_at = models.DateTimeField(_("走访时间"))
    kind = models.CharField(_("走访方式"), max_length=8, choices=VisitKind.choices,
                            default=VisitKind.HOME)
    notes = models.TextField(_("走访情况"), blank=True)
    needs = models.JSONField(_("需求"), default=list, blank=True)
    needs_note = models.CharField(_("其他需求"), max_length=500, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    accuracy_m = models.FloatField(_("定位精度(米)"), null=True, blank=True)
    position_at = models.DateTimeField(_("定位时间"), null=True, blank=True)
    client_id = models.UUIDField(_("客户端编号"), null=True, blank=True, unique=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_at", "-pk"]
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        # The last contact per person is one index lookup (issue 14's "not contacted").
        indexes = [models.Index(fields=["person", "-visited_at"], name="visits_last_contact")]

    def __str__(self):
        return f"{self.person_id} {self.visited_at:%Y-%m-%d}"

    @classmethod
    def restrict_q(cls, scope, action):
        return _area_scoped(scope, action)

    def need_labels(self) -> list[str]:
        from .choices import Need

        return [str(Need(n).label) for n in self.needs if n in Need.values]


def photo_path(instance, filename):
    """Kept for migration 0001 (the field now uses ``core.models.private_file_path``)."""
    return f"visits/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}-{filename}"


class VisitPhoto(PrivateFile):
    """A photo taken on a visit (private: served only to who may see the visit)."""

    FILE_DIR = "visits"

    visit = models.ForeignKey(Visit, verbose_name=_("走访记录"), on_delete=models.CASCADE,
                              related_name="photos")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["visit", "pk"]
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")

    @classmethod
    def restrict_q(cls, scope, action):
        return Q(visit__in=Visit.objects.filter(_area_scoped(scope, action)).values("pk"))
