"""Models shared by every app: the working-day calendar, permissions and roles."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import CHANGE, NOTHING, RestrictedQuerySet


def private_file_path(instance, filename):
    """Where a private file is stored: ``<FILE_DIR>/<year>/<month>/<sha[:2]>/<sha>-<name>``
    (the digest spreads files over folders; the name stays readable for an operator)."""
    return (f"{instance.FILE_DIR}/{timezone.now():%Y/%m}/{instance.sha256[:2]}/"
            f"{instance.sha256}-{filename}")


class PrivateFile(models.Model):
    """A file (a photo of a visit, of a meeting) served only to who may see what it belongs
    to: never under a public URL, each subclass naming its folder (``FILE_DIR``) and its
    scope rule."""

    FILE_DIR = "files"

    file = models.FileField(_("文件"), upload_to=private_file_path, max_length=255)
    name = models.CharField(_("文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("内容类型"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("大小(字节)"))

    class Meta:
        abstract = True

    def __str__(self):
        return self.name or self.sha256[:12]


class CalendarDay(models.Model):
    """One day of China's official calendar as an administrator recorded it.

    ``chinese-calendar`` knows the State Council's holiday arrangements for the years it was
    released with; rows here override it (a late change) and extend it beyond its last year
    (the arrangement for a new year is published each November). See
    ``gridgov.core.workdays``.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'工作日' if self.is_workday else '休息日'}"


class PermissionQuerySet(RestrictedQuerySet):
    pass


class Permission(models.Model):
    """Something the code checks before it lets a principal act (``events.dispatch``).

    Rows are created from the apps' ``permissions.py`` declarations after every migration
    (``gridgov.core.access.grants.sync``); which roles hold them is the administrator's data.
    A permission the code no longer declares is kept, marked ``is_declared=False``, so old
    grants stay readable in the audit trail.
    """

    code = models.CharField(_("编码"), max_length=80, unique=True)
    label = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    is_declared = models.BooleanField(_("代码中仍在使用"), default=True)

    objects = PermissionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("权限")
        verbose_name_plural = _("权限")

    def __str__(self):
        return f"{self.label} ({self.code})"

    @property
    def app(self) -> str:
        return self.code.split(".", 1)[0]

    @classmethod
    def restrict_q(cls, scope, action):
        # Everyone signed in may read what a permission means; only the role editors change.
        if action == CHANGE:
            return None if scope.can("core.manage_roles") else NOTHING
        return None


class RoleDefinitionQuerySet(RestrictedQuerySet):
    pass


class RoleDefinition(models.Model):
    """A role people are assigned in an area, and the permissions it grants.

    The built-in roles (grid worker … audit administrator) are created from the code's
    declarations; administrators add their own (for example 考核员, an assessor reading every
    department's results) and choose their permissions, with no code change.
    """

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    description = models.TextField(_("说明"), blank=True)
    # Area levels the role may be held at ([]: any).
    area_levels = models.JSONField(_("可任职区域层级"), default=list, blank=True)
    department_bound = models.BooleanField(_("须属部门"), default=False)
    admin_duty = models.BooleanField(_("三员职责"), default=False)
    builtin = models.BooleanField(_("内置"), default=False)
    # Pseudo-roles (API clients) are held by keys, never assigned to a person.
    assignable = models.BooleanField(_("可分配给人员"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveIntegerField(_("排序"), default=100)
    permissions = models.ManyToManyField(
        Permission, verbose_name=_("权限"), related_name="roles", blank=True,
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RoleDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("角色")
        verbose_name_plural = _("角色")

    def __str__(self):
        return self.name

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            return None if scope.can("core.manage_roles") else NOTHING
        return None


class IdempotencyRecord(models.Model):
    """One write request a client marked with an idempotency key, and the answer it got.

    ``gridgov.core.idempotency`` inserts the row (committed on its own) before the view runs,
    so a concurrent retry finds it and answers 409; when the view has answered, the status and
    the response (encrypted with a key derived from the client's idempotency key, which is
    never stored: only its HMAC is) are filled in and every retry replays them. Rows expire
    after ``IDEMPOTENCY_TTL`` (24 h, ``gridgov.core.tasks.purge_idempotency_records``).
    Neither the principal nor the client address is stored in the clear: both are part of
    ``key_hash``.
    """

    key_hash = models.CharField(max_length=64, unique=True)
    # Method, path and body digest of the first request: a retry must match it.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    # Empty while the first request is still running.
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.BinaryField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("幂等请求")
        verbose_name_plural = _("幂等请求")

    def __str__(self):
        return f"{self.key_hash[:12]} {self.status or '…'}"


class RateCounter(models.Model):
    """One fixed window of one throttle's count for one client (``gridgov.core.throttle``).

    The database store of the shared limits when Redis is not configured: every process
    counts in the same row, with one atomic upsert per request. ``key`` is the throttle's name
    and a keyed hash of the client (address, user name, principal), never the client itself;
    ``window_start`` is the window's start in epoch seconds (0 for a single-use claim);
    ``expires_at`` (epoch seconds) is when the row may be deleted.
    """

    key = models.CharField(max_length=80)
    window_start = models.BigIntegerField()
    # Signed: a refunded attempt may take it back to 0 (``throttle.refund``).
    count = models.IntegerField(default=0)
    expires_at = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"],
                                    name="core_ratecounter_key_window"),
        ]

    def __str__(self):
        return f"{self.key[:24]} @{self.window_start}: {self.count}"


class JobState(models.Model):
    """One scheduled job (``core.periodic.Periodic``) as every process sees it.

    The row is the lock across processes: a process runs the job only after moving
    ``next_due_at`` forward and taking the lease in one conditional UPDATE, so however many
    server processes (or a Celery worker) find the job due, one runs it. It also keeps what
    the last run did, for the administrators' page (``core:jobs``). Bookkeeping, not audited:
    the job itself audits what it changes."""

    name = models.CharField(_("任务"), max_length=60, unique=True)
    next_due_at = models.DateTimeField(_("下次运行"), null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_holder = models.CharField(max_length=120, blank=True)
    last_started_at = models.DateTimeField(_("上次开始"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("上次结束"), null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("耗时(毫秒)"), null=True, blank=True)
    last_ok = models.BooleanField(_("上次成功"), null=True, blank=True)
    last_result = models.TextField(_("上次结果"), blank=True)
    last_error = models.TextField(_("上次错误"), blank=True)
    last_runner = models.CharField(_("运行方式"), max_length=20, blank=True)
    runs = models.PositiveIntegerField(_("运行次数"), default=0)
    failures = models.PositiveIntegerField(_("失败次数"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self):
        return self.name
