"""People, departments, role assignments and API keys."""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.access import grants
from gridgov.core.querysets import CHANGE, NOTHING, RestrictedQuerySet

from .choices import DepartmentKind, Role


class DepartmentQuerySet(RestrictedQuerySet):
    pass


class Department(models.Model):
    """A party or government department (or a street office) that handles or shares work."""

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=DepartmentKind.choices)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("所属区域"), on_delete=models.PROTECT,
        related_name="departments",
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self):
        return self.name

    @classmethod
    def restrict_q(cls, scope, action):
        # Every signed-in person needs the department list (dispatch, sharing); only the
        # system administrator changes it.
        if action == CHANGE:
            return None if scope.has_role(Role.SYS_ADMIN) else NOTHING
        return None


class UserQuerySet(RestrictedQuerySet):
    pass


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    """Django's user manager (create_user, createsuperuser) with ``restrict()``."""


class User(AbstractUser):
    """A person who signs in: grid worker, clerk, department handler, leader or administrator."""

    real_name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="members",
    )
    totp_secret = models.CharField(_("动态口令密钥"), max_length=64, blank=True)
    totp_confirmed = models.BooleanField(_("已绑定动态口令"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.real_name or self.username

    @classmethod
    def restrict_q(cls, scope, action):
        if scope.has_role(Role.SYS_ADMIN, Role.SEC_ADMIN):
            return None
        if action == CHANGE:
            return Q(pk=scope.user_id) if scope.user_id else NOTHING
        # Others see the people who work in their areas (grid staff on the map) and themselves.
        return Q(pk=scope.user_id) | Q(
            pk__in=Assignment.objects.filter(scope.area_q("area__code")).values("user_id")
        )


class Assignment(models.Model):
    """One role a user holds over one area (a grid, community, street or the district)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    # A role code of ``core.RoleDefinition`` (roles are data; the action checks it exists).
    role = models.CharField(_("角色"), max_length=30, db_index=True)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "role", "area_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="unique_assignment"),
        ]
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.area}"

    def get_role_display(self) -> str:
        return grants.role_label(self.role)


class LoginFailure(models.Model):
    """A failed sign-in, counted per user name for the lock-out window."""

    username = models.CharField(max_length=150, db_index=True)
    client_ip = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(db_index=True)


class AccountLock(models.Model):
    """A user name locked out until a time, after too many failed sign-ins."""

    username = models.CharField(max_length=150, unique=True)
    locked_until = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)


class ApiKeyQuerySet(RestrictedQuerySet):
    pass


class ApiKey(models.Model):
    """A department's API key. Only a hash is stored; the key is shown once when issued."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API 密钥")
        verbose_name_plural = _("API 密钥")

    def __str__(self):
        return f"{self.department} · {self.name} ({self.prefix})"

    @classmethod
    def restrict_q(cls, scope, action):
        if scope.has_role(Role.SYS_ADMIN):
            return None
        if scope.has_role(Role.DEPT_ADMIN) and scope.department_id:
            return Q(department_id=scope.department_id)
        return NOTHING
