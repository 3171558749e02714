"""Verbs that change accounts: departments, users, roles, passwords, second factors, API keys.

Every action checks its actor, validates, writes and audits in one transaction. ``actor=None``
means a system loader (the demo, an import or set-up command) and is recorded as "system".

Each action requires a permission (``accounts/permissions.py``); by default the separation
of duties (等保 "三员", docs/architecture.md) is:

- the system administrator creates departments, users and API keys and deactivates users
  (``accounts.manage_departments``, ``accounts.manage_users``, ``accounts.manage_api_keys``);
- the security administrator assigns and revokes roles, unlocks accounts, resets second
  factors (``accounts.assign_roles``, ``accounts.manage_locks``,
  ``accounts.reset_second_factor``);
- the audit administrator only reads the audit log (no action here);
- a person holds at most one administrator duty role (``admin_duty`` in the role table) and
  no other role beside it, and no administrator acts on their own roles, second factor or
  account state.

Passwords, TOTP secrets and raw API keys never reach the audit record.
"""

import re

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.choices import Level
from gridgov.audit.recorder import record, snapshot
from gridgov.core.access import forget_scope, get_scope, grants, require
from gridgov.core.models import RoleDefinition

from . import lockout, totp
from .api.authentication import hash_key
from .choices import DepartmentKind
from .models import ApiKey, Assignment, Department, User
from .secrets import new_secret

DEPARTMENT_FIELDS = ("code", "name", "short_name", "kind", "area", "phone", "is_active")
USER_FIELDS = ("username", "real_name", "department", "is_active")
ASSIGNMENT_FIELDS = ("user", "role", "area")
API_KEY_FIELDS = ("department", "name", "prefix", "revoked_at")

DEPARTMENT_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,19}$")
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,149}$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
API_KEY_PREFIX = "gg_"


# --- helpers --------------------------------------------------------------------------------


__all__ = [
    "assign_role", "confirm_totp", "create_department", "create_user", "deactivate_user",
    "enroll_totp", "issue_api_key", "reset_totp", "revoke_api_key", "revoke_role",
    "set_password", "unlock_account",
]


def _is_self(actor, user) -> bool:
    return actor is not None and getattr(actor, "pk", None) == user.pk


def _user_snapshot(user) -> dict:
    out = snapshot(user, USER_FIELDS)
    # Personal information stays masked even in the audit log (the stored mask: the number
    # itself is encrypted).
    out["phone"] = user.phone_masked
    return out


def _admin_roles() -> set[str]:
    """The administrator duty roles (三员), read from the table itself, not its cache."""
    return set(RoleDefinition.objects.filter(admin_duty=True).values_list("code", flat=True))


def _holds_admin_role(user) -> bool:
    return user.assignments.filter(role__in=_admin_roles()).exists()


def _clean_text(value, field, *, required=True, max_length=100) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("此项为必填项。")})
    if len(value) > max_length:
        raise ValidationError({field: _("不能超过 %(n)d 个字符。") % {"n": max_length}})
    return value


def _validate_phone(phone) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if phone and not MOBILE_RE.match(phone):
        raise ValidationError({"phone": _("手机号须为 11 位中国大陆手机号码。")})
    return phone


def _validate_password(password, user, field="password"):
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


# --- departments ----------------------------------------------------------------------------


def create_department(*, code, name, kind, area, actor, short_name="", phone="") -> Department:
    """Create a department (``accounts.manage_departments``: the system administrator, or a
    system loader)."""
    require(actor, "accounts.manage_departments")
    code = _clean_text(code, "code", max_length=20).upper()
    name = _clean_text(name, "name")
    short_name = _clean_text(short_name, "short_name", required=False, max_length=40)
    phone = _clean_text(phone, "phone", required=False, max_length=30)
    if not DEPARTMENT_CODE_RE.match(code):
        raise ValidationError({"code": _("部门编码须以大写字母开头,由字母和数字组成。")})
    if kind not in DepartmentKind.values:
        raise ValidationError({"kind": _("未知的部门类型:%(kind)s。") % {"kind": kind}})
    if area is None:
        raise ValidationError({"area": _("请选择部门所属区域。")})
    if area.valid_to is not None and area.valid_to <= timezone.localdate():
        raise ValidationError({"area": _("该区域已停用。")})
    if Department.objects.filter(code=code).exists():
        raise ValidationError({"code": _("部门编码 %(code)s 已存在。") % {"code": code}})
    if Department.objects.filter(name=name).exists():
        raise ValidationError({"name": _("部门名称“%(name)s”已存在。") % {"name": name}})
    with transaction.atomic():
        dept = Department.objects.create(
            code=code, name=name, short_name=short_name, kind=kind, area=area, phone=phone
        )
        record("accounts.department_created", actor=actor, obj=dept,
               after=snapshot(dept, DEPARTMENT_FIELDS))
    return dept


# --- users ----------------------------------------------------------------------------------


def create_user(*, username, real_name, password, actor, phone="", department=None) -> User:
    """Create a person's account (``accounts.manage_users``: the system administrator). Roles
    come separately, from the security administrator (``assign_role``)."""
    require(actor, "accounts.manage_users")
    username = _clean_text(username, "username", max_length=150)
    real_name = _clean_text(real_name, "real_name", max_length=50)
    phone = _validate_phone(phone)
    if not USERNAME_RE.match(username):
        raise ValidationError({"username": _(
            "用户名须以字母开头,由 3 至 150 个字母、数字、下划线、点或连字符组成。")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名 %(u)s 已被使用。") % {"u": username}})
    if department is not None and not department.is_active:
        raise ValidationError({"department": _("该部门已停用。")})
    user = User(username=username, real_name=real_name, phone=phone, department=department)
    _validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.password_changed_at = timezone.now()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise ValidationError({"username": _("用户名 %(u)s 已被使用。") % {"u": username}})
        record("accounts.user_created", actor=actor, obj=user, after=_user_snapshot(user))
    return user


def set_password(user, password, *, actor) -> User:
    """Set a password: the person's own, or another's by the system administrator.

    Nobody sets another administrator's password: that would let one of the three separated
    roles take over another's account.
    """
    if not _is_self(actor, user):
        require(actor, "accounts.manage_users")
        if actor is not None and _holds_admin_role(user):
            raise PermissionDenied(_("管理员的密码只能由本人修改。"))
    _validate_password(password, user)
    with transaction.atomic():
        before = {"password_changed_at": user.password_changed_at}
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        record("accounts.password_changed", actor=actor, obj=user, before=before,
               after={"password_changed_at": user.password_changed_at},
               remark="own password" if _is_self(actor, user) else "set by administrator")
    return user


def deactivate_user(user, *, actor) -> User:
    """Disable an account (``accounts.manage_users``). Its sessions stop working at once
    (Django refuses inactive users) and its API scope becomes empty.

    An administrator's account is disabled only after the security administrator has revoked
    its role, so the system administrator cannot silence the other two.
    """
    require(actor, "accounts.manage_users")
    if _is_self(actor, user):
        raise PermissionDenied(_("不能停用自己的账号。"))
    if actor is not None and _holds_admin_role(user):
        raise ValidationError({"user": _("该用户持有管理员角色,须先由安全管理员撤销其角色。")})
    if not user.is_active:
        raise ValidationError({"user": _("该账号已停用。")})
    with transaction.atomic():
        before = _user_snapshot(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        record("accounts.user_deactivated", actor=actor, obj=user, before=before,
               after=_user_snapshot(user))
    forget_scope(user)
    return user


# --- roles ----------------------------------------------------------------------------------


def _assignable_role(code) -> RoleDefinition:
    """The role table's row for ``code``: it must exist, be active and be assignable."""
    definition = RoleDefinition.objects.filter(code=code or "").first()
    if definition is None:
        raise ValidationError({"role": _("未知的角色:%(role)s。") % {"role": code}})
    if not definition.is_active:
        raise ValidationError({"role": _("角色“%(role)s”已停用。") % {"role": definition.name}})
    if not definition.assignable:
        raise ValidationError({"role": _("角色“%(role)s”不能分配给人员。") % {
            "role": definition.name}})
    return definition


def assign_role(user, role, area, *, actor) -> Assignment:
    """Give a user a role over an area (``accounts.assign_roles``: the security administrator,
    or a system loader).

    The role comes from the role table (``core.RoleDefinition``): it must exist, be active and
    assignable; it sits at one of its ``area_levels``; a ``department_bound`` role needs the
    user to belong to a department; the administrator duties (``admin_duty``) are exclusive
    (at most one, and nothing beside it); nobody assigns roles to themselves.
    """
    require(actor, "accounts.assign_roles")
    if _is_self(actor, user):
        raise PermissionDenied(_("不能给自己分配角色。"))
    definition = _assignable_role(role)
    role, label = definition.code, definition.name
    if not user.is_active:
        raise ValidationError({"user": _("该账号已停用。")})
    if area is None:
        raise ValidationError({"area": _("请选择区域。")})
    if area.valid_to is not None and area.valid_to <= timezone.localdate():
        raise ValidationError({"area": _("该区域已停用。")})
    levels = set(definition.area_levels or ())
    if levels and area.level not in levels:
        names = "、".join(str(Level(level).label) for level in sorted(levels))
        raise ValidationError({"area": _("%(role)s只能分配在以下层级的区域:%(levels)s。") % {
            "role": label, "levels": names}})
    if definition.department_bound and user.department_id is None:
        raise ValidationError({"role": _("%(role)s须先为用户指定所属部门。") % {"role": label}})
    held = set(user.assignments.values_list("role", flat=True))
    admin_roles = _admin_roles()
    if definition.admin_duty and held - {role}:
        raise ValidationError({"role": _(
            "三员分立:%(role)s不得兼任其他角色,请先撤销该用户的其他角色。") % {"role": label}})
    if held & admin_roles and role not in held:
        other = grants.role_label(sorted(held & admin_roles)[0])
        raise ValidationError({"role": _("三员分立:该用户已是%(admin)s,不得再担任其他角色。") % {
            "admin": other}})
    if Assignment.objects.filter(user=user, role=role, area=area).exists():
        raise ValidationError({"role": _("该用户已在此区域担任该角色。")})
    with transaction.atomic():
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(user=user, role=role, area=area)
        except IntegrityError:
            raise ValidationError({"role": _("该用户已在此区域担任该角色。")})
        after = snapshot(assignment, ASSIGNMENT_FIELDS)
        after["area_code"] = area.code
        record("accounts.role_assigned", actor=actor, obj=assignment, after=after)
        # The user's own chain shows their role history too.
        record("accounts.role_assigned", actor=actor, obj=user,
               changes={"roles": {"added": [role, area.code]}})
    forget_scope(user)
    return assignment


def _roles_granting(perm: str) -> set[str]:
    """The active roles whose row of the table holds ``perm`` (read from the table itself)."""
    return set(RoleDefinition.objects.filter(is_active=True, permissions__code=perm)
               .values_list("code", flat=True))


def revoke_role(assignment, *, actor) -> None:
    """Take a role away (``accounts.assign_roles``, or a system loader).

    The last person able to assign roles cannot lose that role: nobody could assign roles
    after that.
    """
    require(actor, "accounts.assign_roles")
    user = assignment.user
    if _is_self(actor, user):
        raise PermissionDenied(_("不能撤销自己的角色。"))
    assigners = _roles_granting("accounts.assign_roles")
    if assignment.role in assigners and not Assignment.objects.filter(
        role__in=assigners, user__is_active=True
    ).exclude(user_id=user.pk).exists():
        raise ValidationError({"role": _("这是最后一名安全管理员,不能撤销。")})
    with transaction.atomic():
        before = snapshot(assignment, ASSIGNMENT_FIELDS)
        before["area_code"] = assignment.area.code
        record("accounts.role_revoked", actor=actor, obj=assignment, before=before, after={})
        record("accounts.role_revoked", actor=actor, obj=user,
               changes={"roles": {"removed": [assignment.role, assignment.area.code]}})
        assignment.delete()
    forget_scope(user)


# --- lock-out -------------------------------------------------------------------------------


def unlock_account(username, *, actor) -> bool:
    """Lift a lock-out and clear the failure count (``accounts.manage_locks``)."""
    require(actor, "accounts.manage_locks")
    username = lockout.normalise(username)
    if not username:
        raise ValidationError({"username": _("请输入用户名。")})
    until = lockout.locked_until(username)
    if until is None:
        raise ValidationError({"username": _("账号 %(u)s 当前未被锁定。") % {"u": username}})
    with transaction.atomic():
        lockout.lift(username)
        record("accounts.unlocked", actor=actor, object_type=lockout.LOGIN_OBJECT_TYPE,
               object_id=username, object_repr=username,
               changes={"locked_until": [until.isoformat(), None]})
    return True


# --- second factor --------------------------------------------------------------------------


def enroll_totp(user, *, actor, secret=None) -> str:
    """Start TOTP enrolment: store a new secret, unconfirmed until ``confirm_totp``.

    The person enrols themselves; a system loader may pass a fixed ``secret`` (the demo).
    A confirmed factor is replaced only after the security administrator resets it.
    """
    if actor is not None and not _is_self(actor, user):
        raise PermissionDenied(_("只能为本人绑定动态口令。"))
    if user.totp_confirmed and actor is not None:
        raise ValidationError({"totp": _("已绑定动态口令;如需更换,请联系安全管理员重置。")})
    if secret is None:
        secret = totp.new_secret()
    secret = str(secret).strip().replace(" ", "").upper()
    if not totp.valid_secret(secret):
        raise ValidationError({"secret": _("动态口令密钥须为 16 至 64 位 Base32 字符。")})
    with transaction.atomic():
        before = {"totp_enrolled": bool(user.totp_secret_enc),
                  "totp_confirmed": user.totp_confirmed}
        user.totp_secret = secret
        user.totp_confirmed = False
        user.save(update_fields=["totp_secret_enc", "totp_confirmed"])
        record("accounts.totp_enrolled", actor=actor, obj=user, before=before,
               after={"totp_enrolled": True, "totp_confirmed": False})
    return secret


def confirm_totp(user, code, *, actor) -> bool:
    """Check a TOTP code. The first right code confirms the enrolment; later ones pass the
    sign-in step. A wrong code counts as a failed sign-in towards the lock-out."""
    if actor is not None and not _is_self(actor, user):
        raise PermissionDenied(_("只能验证本人的动态口令。"))
    if not user.totp_secret:
        raise ValidationError({"code": _("尚未开始绑定动态口令。")})
    ok = totp.verify(user.totp_secret, code)
    with transaction.atomic():
        if not ok:
            record("accounts.totp_failed", actor=actor, obj=user, remark="wrong TOTP code")
        elif not user.totp_confirmed:
            user.totp_confirmed = True
            user.save(update_fields=["totp_confirmed"])
            record("accounts.totp_confirmed", actor=actor, obj=user,
                   before={"totp_confirmed": False}, after={"totp_confirmed": True})
        else:
            record("accounts.totp_verified", actor=actor, obj=user)
    if not ok:
        from gridgov.core.context import current_client_ip

        lockout.register_failure(user.get_username(), current_client_ip())
    return ok


def reset_totp(user, *, actor) -> User:
    """Clear a person's TOTP factor so they enrol again (``accounts.reset_second_factor``)."""
    require(actor, "accounts.reset_second_factor")
    if _is_self(actor, user):
        raise PermissionDenied(_("不能重置自己的动态口令。"))
    if not user.totp_secret:
        raise ValidationError({"totp": _("该用户尚未绑定动态口令。")})
    with transaction.atomic():
        before = {"totp_enrolled": True, "totp_confirmed": user.totp_confirmed}
        user.totp_secret = ""
        user.totp_confirmed = False
        user.save(update_fields=["totp_secret_enc", "totp_confirmed"])
        record("accounts.totp_reset", actor=actor, obj=user, before=before,
               after={"totp_enrolled": False, "totp_confirmed": False})
    return user


# --- API keys -------------------------------------------------------------------------------


def _require_key_admin(actor, department):
    """``accounts.manage_api_keys`` held through an area role (the system administrator: any
    department), or through a department-bound role (a department administrator: theirs)."""
    if actor is None:
        return
    scope = get_scope(actor)
    if scope is not None:
        if scope.roles_with("accounts.manage_api_keys", department_bound=False):
            return
        if scope.department_can("accounts.manage_api_keys") and (
                scope.department_id == department.pk):
            return
    raise PermissionDenied(_("您无权管理该部门的 API 密钥。"))


def issue_api_key(department, *, name, actor) -> tuple[ApiKey, str]:
    """Issue an API key for a department; the raw key is returned once and never stored."""
    _require_key_admin(actor, department)
    name = _clean_text(name, "name")
    if not department.is_active:
        raise ValidationError({"department": _("该部门已停用。")})
    with transaction.atomic():
        raw, prefix = new_secret(API_KEY_PREFIX, ApiKey)
        key = ApiKey.objects.create(
            department=department, name=name, prefix=prefix, key_hash=hash_key(raw),
            created_by=actor if isinstance(getattr(actor, "pk", None), int) else None,
        )
        record("accounts.api_key_issued", actor=actor, obj=key,
               after=snapshot(key, API_KEY_FIELDS))
    return key, raw


def revoke_api_key(key, *, actor) -> ApiKey:
    """Revoke a key at once: the next request signed with it gets 401."""
    _require_key_admin(actor, key.department)
    if key.revoked_at is not None:
        raise ValidationError({"key": _("该密钥已吊销。")})
    with transaction.atomic():
        before = snapshot(key, API_KEY_FIELDS)
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        record("accounts.api_key_revoked", actor=actor, obj=key, before=before,
               after=snapshot(key, API_KEY_FIELDS))
    return key
