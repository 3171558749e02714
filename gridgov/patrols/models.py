"""Patrols (巡查) and their sampled track points.

A patrol belongs to the grid worker who walked it and carries the code of the area the worker
patrols (``area_code``, their grid), so scope is one indexed prefix test like events. The
device names a patrol by a UUID it makes up (``client_id``, unique per worker): start, points
and stop are offline writes keyed by it. The latest kept point is copied onto the patrol
(``last_*``), so who is on duty where is one query (``positions.on_duty``).

Scope: a person reads their own patrols, and those inside the areas where they hold
``patrols.view``; only the worker changes their own patrol (``patrols.patrol``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import NOTHING, RestrictedQuerySet

from .choices import EndKind, PatrolState
from .permissions import PATROL, VIEW


class Patrol(models.Model):
    """One patrol of a grid worker: when, how long, how far, and its kept track points."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("网格员"),
                               on_delete=models.PROTECT, related_name="patrols")
    grid = models.ForeignKey("areas.Area", verbose_name=_("巡查网格"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    client_id = models.UUIDField(_("终端编号"), default=uuid.uuid4)
    state = models.CharField(_("状态"), max_length=10, choices=PatrolState.choices,
                             default=PatrolState.ACTIVE, db_index=True)
    end_kind = models.CharField(_("结束方式"), max_length=10, choices=EndKind.choices,
                                blank=True)
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    distance_m = models.FloatField(_("里程(米)"), default=0)
    duration_s = models.PositiveIntegerField(_("时长(秒)"), default=0)
    point_count = models.PositiveIntegerField(_("轨迹点数"), default=0)
    start_lng = models.FloatField(_("起点经度"), null=True, blank=True)
    start_lat = models.FloatField(_("起点纬度"), null=True, blank=True)
    end_lng = models.FloatField(_("终点经度"), null=True, blank=True)
    end_lat = models.FloatField(_("终点纬度"), null=True, blank=True)
    last_lng = models.FloatField(_("最新经度"), null=True, blank=True)
    last_lat = models.FloatField(_("最新纬度"), null=True, blank=True)
    last_accuracy_m = models.FloatField(_("最新精度(米)"), null=True, blank=True)
    last_at = models.DateTimeField(_("最新定位时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("巡查")
        verbose_name_plural = _("巡查")
        constraints = [
            models.UniqueConstraint(fields=["worker", "client_id"], name="patrols_client_once"),
            models.UniqueConstraint(fields=["worker"], condition=Q(state="active"),
                                    name="patrols_one_active"),
        ]
        indexes = [models.Index(fields=["worker", "started_at"]),
                   models.Index(fields=["state", "area_code"])]

    def __str__(self):
        return f"{self.worker_id} {self.started_at:%Y-%m-%d %H:%M}"

    @classmethod
    def restrict_q(cls, scope, action):
        if scope.user_id is None:
            return NOTHING
        if action == "change":
            return Q(worker_id=scope.user_id) if scope.can(PATROL) else NOTHING
        return Q(worker_id=scope.user_id) | scope.area_q("area_code", VIEW)

    @property
    def is_active(self) -> bool:
        return self.state == PatrolState.ACTIVE

    def elapsed_s(self, now=None) -> int:
        """Seconds on patrol: the stored duration once ended, else until now."""
        if not self.is_active:
            return self.duration_s
        return max(0, int(((now or timezone.now()) - self.started_at).total_seconds()))


class PatrolPoint(models.Model):
    """One kept point of a patrol's track (WGS-84)."""

    patrol = models.ForeignKey(Patrol, verbose_name=_("巡查"), on_delete=models.CASCADE,
                               related_name="points")
    at = models.DateTimeField(_("定位时间"))
    lng = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    accuracy_m = models.FloatField(_("精度(米)"), null=True, blank=True)

    class Meta:
        ordering = ["patrol", "at"]
        verbose_name = _("巡查轨迹点")
        verbose_name_plural = _("巡查轨迹点")
        constraints = [models.UniqueConstraint(fields=["patrol", "at"],
                                               name="patrols_point_once")]

    def __str__(self):
        return f"{self.patrol_id} {self.at:%H:%M:%S}"
