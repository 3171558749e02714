"""Tasks from the command room (指挥任务): 核查, 采集 and 走访 work assigned to a grid worker,
by name or to the nearest worker on duty (力量调度), with their history and the result.

Scope: the assignee sees and works their own tasks (``tasks.work``); whoever holds
``tasks.view`` sees the tasks inside their areas (``area_code``, the task's grid) and whoever
holds ``tasks.assign`` changes them there (cancel, reassign). Points are WGS-84.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import CHANGE, RestrictedQuerySet

from .choices import OPEN_STATES, AssignMode, StepAction, TaskKind, TaskState


class TaskQuerySet(RestrictedQuerySet):
    def open(self):
        """Tasks still to be done (assigned or accepted)."""
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, now=None):
        """Open tasks whose due time has passed."""
        return self.open().filter(due_at__lt=now or timezone.now())


class Task(models.Model):
    """One task the command room gave a grid worker: what, where, by when, and what came back.

    ``version`` moves by one on every change (optimistic concurrency: a write carrying a
    stale ``expected_version`` is refused unless only the writer changed it since).
    """

    kind = models.CharField(_("任务类型"), max_length=10, choices=TaskKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    instructions = models.TextField(_("任务要求"), blank=True)
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), on_delete=models.PROTECT,
                             related_name="+")
    area_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    event = models.ForeignKey("events.Event", verbose_name=_("关联事件"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("basedata.Person", verbose_name=_("关联人员"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey("basedata.House", verbose_name=_("关联房屋"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    lng = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("执行人"),
                                 on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("派发人"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    assigned_at = models.DateTimeField(_("派发时间"), default=timezone.now)
    assign_mode = models.CharField(_("派发方式"), max_length=10, choices=AssignMode.choices,
                                   default=AssignMode.NAMED)
    # Nearest on duty: how far the chosen worker's last fix was from the task's point.
    assign_distance_m = models.FloatField(_("派发时距离(米)"), null=True, blank=True)
    due_at = models.DateTimeField(_("完成时限"), null=True, blank=True, db_index=True)
    state = models.CharField(_("状态"), max_length=10, choices=TaskState.choices,
                             default=TaskState.ASSIGNED, db_index=True)
    accepted_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    result_note = models.TextField(_("回报说明"), blank=True)
    done_lng = models.FloatField(_("完成时经度"), null=True, blank=True)
    done_lat = models.FloatField(_("完成时纬度"), null=True, blank=True)
    done_accuracy_m = models.FloatField(_("完成时定位精度(米)"), null=True, blank=True)
    done_position_at = models.DateTimeField(_("完成时定位时间"), null=True, blank=True)
    done_distance_m = models.FloatField(_("完成位置距任务点(米)"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("指挥任务")
        verbose_name_plural = _("指挥任务")
        indexes = [models.Index(fields=["assignee", "state"], name="tasks_assignee_state")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.title}"

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            q = scope.area_q("area_code", "tasks.assign", department_bound=False)
            if scope.user_id and scope.can("tasks.work"):
                q |= Q(assignee_id=scope.user_id)
            return q
        q = scope.area_q("area_code", "tasks.view", department_bound=False)
        if scope.user_id:
            q |= Q(assignee_id=scope.user_id)
        return q

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.due_at and self.due_at < timezone.now())

    def point(self) -> tuple[float, float] | None:
        """The task's place: its own point, else its event's (WGS-84)."""
        if self.lng is not None and self.lat is not None:
            return self.lng, self.lat
        if self.event_id and self.event is not None:
            return self.event.lng, self.event.lat
        return None


class TaskStep(models.Model):
    """One step of a task's history: who did what when, and to whom it went (kept on reassign)."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE,
                             related_name="steps")
    action = models.CharField(_("操作"), max_length=10, choices=StepAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("执行人"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    from_state = models.CharField(_("原状态"), max_length=10, blank=True)
    to_state = models.CharField(_("新状态"), max_length=10)
    note = models.TextField(_("说明"), blank=True)
    distance_m = models.FloatField(_("距离(米)"), null=True, blank=True)
    # The task's version after this step: a writer's own later steps never conflict with it.
    version = models.PositiveIntegerField(_("版本"))
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["task", "version", "id"]
        verbose_name = _("任务记录")
        verbose_name_plural = _("任务记录")

    def __str__(self):
        return f"{self.task_id} {self.action}"

    @classmethod
    def restrict_q(cls, scope, action):
        q = Task.restrict_q(scope, action)
        return Q(task__in=Task.objects.filter(q).values("pk"))


def attachment_path(instance, filename):
    return f"tasks/{timezone.now():%Y/%m}/{filename}"


class TaskAttachment(models.Model):
    """A photo the worker sent back with the task's result (type checked from its bytes)."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE,
                             related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("内容类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["task", "id"]
        verbose_name = _("任务照片")
        verbose_name_plural = _("任务照片")

    def __str__(self):
        return self.name or self.sha256[:12]

    @classmethod
    def restrict_q(cls, scope, action):
        q = Task.restrict_q(scope, action)
        return Q(task__in=Task.objects.filter(q).values("pk"))
