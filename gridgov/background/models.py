"""A background job: one piece of long work a person started from a page.

The row is the job's whole life: what to do (``kind`` and ``params``), who asked, its state,
how far it got (``done`` of ``total`` with a message, written by the work as it goes), its
result or error, and the runner holding it (a thread of a server process, or a Celery worker)
with a heartbeat. A job whose runner stopped beating (the server restarted) is queued again
and run from the start by another runner; every kind of work is written so that running it
again is harmless. A person sees and cancels only the jobs they started.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import NOTHING, RestrictedQuerySet

from .choices import JobStatus


class BackgroundJobQuerySet(RestrictedQuerySet):
    pass


class BackgroundJob(models.Model):
    """One piece of long work, its progress and its outcome (see the module docstring)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("作业类型"), max_length=60)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices,
                              default=JobStatus.QUEUED, db_index=True)
    done = models.PositiveBigIntegerField(_("已完成"), default=0)
    total = models.PositiveBigIntegerField(_("总量"), null=True, blank=True)
    message = models.CharField(_("进度说明"), max_length=200, blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="background_jobs")
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(_("已请求取消"), default=False)
    runner = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BackgroundJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("后台作业")
        verbose_name_plural = _("后台作业")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="background_stale")]

    def __str__(self):
        return f"{self.kind} {self.uid}"

    @classmethod
    def restrict_q(cls, scope, action):
        # A job's parameters and result are the work of the person who started it (an audit
        # verdict, a rule run's figures): theirs to watch and cancel.
        return Q(created_by_id=scope.user_id) if scope.user_id else NOTHING

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return max(0, min(100, int(self.done * 100 / self.total)))
