"""People, departments, role assignments and API keys."""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core import personal_data
from gridgov.core.querysets import CHANGE, NOTHING, RestrictedQuerySet

from . import totp
from .choices import DepartmentKind
from .scope import role_name

# Who changes other people's accounts: what each administrator does to one (actions check the
# exact permission again).
ACCOUNT_ADMIN_PERMISSIONS = (
    "accounts.manage_users", "accounts.assign_roles", "accounts.manage_locks",
    "accounts.reset_second_factor",
)


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
    # An office's published number (值班电话), not a person's: stored plain, shown to all.
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
        # Every signed-in person needs the department list (dispatch, sharing); only holders
        # of "accounts.manage_departments" (the system administrator) change it.
        if action == CHANGE:
            return None if scope.can("accounts.manage_departments") else NOTHING
        return None


class UserQuerySet(RestrictedQuerySet):
    pass


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    """Django's user manager (create_user, createsuperuser) with ``restrict()``."""


class User(AbstractUser):
    """A person who signs in: grid worker, clerk, department handler, leader or administrator."""

    real_name = models.CharField(_("姓名"), max_length=50)
    # The person's mobile number is personal data: an AES-GCM token (purpose "phone"), its
    # keyed lookup hash and its mask; read and set it through the ``phone`` property.
    phone_enc = models.TextField(_("手机号(密文)"), blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True, editable=False)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="members",
    )
    # The TOTP secret is a credential: stored as an AES-GCM token (``totp.seal``), so a copy
    # of the database does not give anyone the administrators' second factor. Read and set it
    # through the ``totp_secret`` property.
    totp_secret_enc = models.TextField(_("动态口令密钥(密文)"), blank=True, editable=False)
    totp_confirmed = models.BooleanField(_("已绑定动态口令"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects = UserManager()

    # What ``personal_data.reveal`` may show, to whom (with a reason, audited).
    personal_fields = {
        "phone": personal_data.PersonalField("phone_enc", "phone", _("手机号")),
    }
    reveal_permission = "accounts.reveal_phone"

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.real_name or self.username

    @property
    def phone(self) -> str:
        """The mobile number in plain (decrypted): for text messages, the person themself and
        an audited reveal; pages, the API and logs show ``phone_masked``."""
        return personal_data.decrypt(self.phone_enc, "phone")

    @phone.setter
    def phone(self, value) -> None:
        for column, stored in personal_data.phone_columns(value, "phone").items():
            setattr(self, column, stored)

    @property
    def totp_secret(self) -> str:
        """The base32 TOTP secret in plain ("" when none), decrypted by ``totp.unseal``."""
        return totp.unseal(self.totp_secret_enc)

    @totp_secret.setter
    def totp_secret(self, value) -> None:
        self.totp_secret_enc = totp.seal(value or "")

    @classmethod
    def restrict_q(cls, scope, action):
        # The account administrators (system: accounts; security: roles, locks, second
        # factors) reach every account; everyone else changes only their own.
        if action == CHANGE and scope.can(*ACCOUNT_ADMIN_PERMISSIONS):
            return None
        if action != CHANGE and scope.can("accounts.view_users"):
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
        return role_name(self.role)


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
        # Held through an area role (the system administrator): every key; through a
        # department-bound role (a department administrator): their department's keys.
        if scope.roles_with("accounts.manage_api_keys", department_bound=False):
            return None
        if scope.department_can("accounts.manage_api_keys"):
            return Q(department_id=scope.department_id)
        return NOTHING


class DeviceTokenQuerySet(RestrictedQuerySet):
    pass


class DeviceToken(models.Model):
    """A token a person's mobile device signs its API requests with
    (``Authorization: Device <token>``), standing for that person: same permissions, same
    scope. Only a hash is stored; the token is shown once when issued. Revoking it, or its
    expiry, turns the next request away (401). See ``gridgov.accounts.device_actions``.
    """

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE,
                             related_name="device_tokens")
    name = models.CharField(_("设备名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=16, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    # Touched at most once a minute, so a busy device does not turn every read into a write.
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    objects = DeviceTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("设备令牌")
        verbose_name_plural = _("设备令牌")

    def __str__(self):
        return f"{self.user} · {self.name} ({self.prefix})"

    @classmethod
    def restrict_q(cls, scope, action):
        # Everyone reaches their own tokens; the security administrator everyone's (to
        # revoke a lost phone's). API clients are no person and hold none.
        if scope.can("accounts.manage_device_tokens"):
            return None
        return Q(user_id=scope.user_id) if scope.user_id else NOTHING
