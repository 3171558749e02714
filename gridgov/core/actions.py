"""Verbs that change core's own tables: the working-day calendar and the role table.

Each action requires its permission (``core/permissions.py``), validates, writes and audits in
one transaction; ``actor=None`` is a system loader. The role table is what every request's
permissions are read from, so its writes drop the per-process cache (``grants.invalidate()``,
now and again on commit) and a change reaches the next request.
"""

import datetime as dt
import re

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.areas.choices import Level
from gridgov.audit.recorder import record, snapshot

from . import workdays
from .access import grants, require
from .models import CalendarDay, Permission, RoleDefinition

ROLE_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
ROLE_FIELDS = ("code", "name", "description", "area_levels", "department_bound", "admin_duty",
               "assignable", "is_active", "order")
# What a built-in role keeps whatever the administrator does: the code relies on them (the
# separated duties, the department a department role acts for, the levels it sits at).
BUILTIN_FIXED = ("department_bound", "admin_duty", "assignable", "area_levels", "is_active")
MANAGE_ROLES = "core.manage_roles"


# --- the working-day calendar ----------------------------------------------------------------


def set_calendar_day(day: dt.date, *, is_workday: bool, note: str = "", actor) -> CalendarDay:
    """Record (or change) one day of the calendar: a holiday, or a 调休 weekend workday.

    ``core.edit_calendar`` (the system administrator; ``actor=None`` for loaders); audited;
    the per-process calendar cache is dropped on commit.
    """
    require(actor, "core.edit_calendar", message=_("只有系统管理员可以维护工作日历。"))
    fields = ("date", "is_workday", "note")
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=day).first()
        before = snapshot(row, fields) if row else None
        if row is None:
            row = CalendarDay(date=day)
        row.is_workday = bool(is_workday)
        row.note = (note or "")[:100]
        row.save()
        record("core.calendar_day", actor=actor, obj=row, before=before,
               after=snapshot(row, fields))
        transaction.on_commit(workdays.invalidate)
    return row


# --- roles and their permissions -------------------------------------------------------------


def _role_snapshot(role: RoleDefinition) -> dict:
    out = snapshot(role, ROLE_FIELDS)
    out["permissions"] = sorted(role.permissions.values_list("code", flat=True))
    return out


def _clean_name(name, *, exclude_pk=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写角色名称。")})
    if len(name) > 50:
        raise ValidationError({"name": _("角色名称不能超过 50 个字符。")})
    taken = RoleDefinition.objects.filter(name=name).exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"name": _("角色名称“%(name)s”已存在。") % {"name": name}})
    return name


def _clean_levels(levels) -> list[str]:
    levels = list(dict.fromkeys(levels or ()))
    unknown = [level for level in levels if level not in Level.values]
    if unknown:
        raise ValidationError({"area_levels": _("未知的区域层级:%(levels)s。") % {
            "levels": "、".join(map(str, unknown))}})
    return levels


def _permissions(codes) -> list[Permission]:
    """The permission rows for ``codes``; each must be one the code still declares."""
    codes = sorted(set(codes or ()))
    rows = list(Permission.objects.filter(code__in=codes, is_declared=True))
    missing = sorted(set(codes) - {p.code for p in rows})
    if missing:
        raise ValidationError({"permissions": _("未知的权限:%(codes)s。") % {
            "codes": "、".join(missing)}})
    return rows


def _keep_a_role_manager(role: RoleDefinition, codes: set[str], is_active: bool) -> None:
    """Refuse a change that would leave no active person able to edit the role table."""
    keeps = is_active and MANAGE_ROLES in codes
    if keeps or not role.permissions.filter(code=MANAGE_ROLES).exists():
        return
    # Assignments are accounts' model: read through the app registry, so core imports no app
    # that imports core.
    held = apps.get_model("accounts", "Assignment").objects.filter(
        user__is_active=True).values("role")
    others = RoleDefinition.objects.filter(
        is_active=True, permissions__code=MANAGE_ROLES, code__in=held).exclude(pk=role.pk)
    if not others.exists():
        raise ValidationError({"permissions": _(
            "至少须有一个在用角色保留“维护角色与权限表”权限,否则将无人能再修改权限。")})


def create_role(*, code, name, actor, description="", area_levels=(), department_bound=False,
                assignable=True, order=100, permissions=()) -> RoleDefinition:
    """Add a role to the table, with its permissions (``core.manage_roles``).

    A new role is never an administrator duty (三员 are the three built-in ones). Audited with
    its permissions; the table cache is dropped, so the role is usable at once.
    """
    require(actor, MANAGE_ROLES)
    code = (code or "").strip()
    if not ROLE_CODE_RE.match(code):
        raise ValidationError({"code": _(
            "角色编码须以小写字母开头,由 2 至 30 个小写字母、数字或下划线组成。")})
    if RoleDefinition.objects.filter(code=code).exists():
        raise ValidationError({"code": _("角色编码 %(code)s 已存在。") % {"code": code}})
    name = _clean_name(name)
    levels = _clean_levels(area_levels)
    rows = _permissions(permissions)
    with transaction.atomic():
        role = RoleDefinition.objects.create(
            code=code, name=name, description=(description or "").strip(),
            area_levels=levels, department_bound=bool(department_bound), admin_duty=False,
            builtin=False, assignable=bool(assignable), order=int(order),
        )
        role.permissions.set(rows)
        record("core.role_created", actor=actor, obj=role, after=_role_snapshot(role))
        grants.invalidate()
    return role


def update_role(role: RoleDefinition, *, actor, permissions=None, **changes) -> RoleDefinition:
    """Change a role's name, description, order, flags and (when given) its permissions
    (``core.manage_roles``).

    A built-in role keeps its code and flags (``BUILTIN_FIXED``) but its permissions may
    change; no role becomes an administrator duty; a department-bound role needs its holders
    to have a department. One transaction, one audit record of before and after.
    """
    require(actor, MANAGE_ROLES)
    if "code" in changes:
        raise ValidationError({"code": _("角色编码不能修改。")})
    unknown = set(changes) - {"name", "description", "order", *BUILTIN_FIXED}
    if unknown:
        raise TypeError(f"update_role() got unexpected fields {sorted(unknown)}")
    role = RoleDefinition.objects.get(pk=role.pk)
    values = {}
    if "name" in changes:
        values["name"] = _clean_name(changes["name"], exclude_pk=role.pk)
    if "description" in changes:
        values["description"] = (changes["description"] or "").strip()
    if "order" in changes:
        values["order"] = int(changes["order"])
    if "area_levels" in changes:
        values["area_levels"] = _clean_levels(changes["area_levels"])
    for flag in ("department_bound", "admin_duty", "assignable", "is_active"):
        if flag in changes:
            values[flag] = bool(changes[flag])
    if values.get("admin_duty", role.admin_duty) and not role.admin_duty:
        raise ValidationError({"admin_duty": _(
            "三员职责只属于三个内置管理员角色,不能授予其他角色。")})
    if role.builtin:
        for flag in BUILTIN_FIXED:
            if flag in values and values[flag] != getattr(role, flag):
                raise ValidationError({flag: _("内置角色的该项不能修改,只能调整其权限。")})
    if values.get("department_bound") and not role.department_bound:
        assignment = apps.get_model("accounts", "Assignment")
        if assignment.objects.filter(role=role.code, user__department__isnull=True).exists():
            raise ValidationError({"department_bound": _(
                "仍有未指定部门的人员担任该角色,不能改为须属部门。")})
    rows = _permissions(permissions) if permissions is not None else None
    codes = {p.code for p in rows} if rows is not None else set(
        role.permissions.values_list("code", flat=True))
    _keep_a_role_manager(role, codes, values.get("is_active", role.is_active))
    with transaction.atomic():
        role = RoleDefinition.objects.select_for_update().get(pk=role.pk)
        before = _role_snapshot(role)
        for field, value in values.items():
            setattr(role, field, value)
        role.save()
        if rows is not None:
            role.permissions.set(rows)
        record("core.role_updated", actor=actor, obj=role, before=before,
               after=_role_snapshot(role))
        grants.invalidate()
    return role


def set_role_permissions(role: RoleDefinition, permission_codes, *, actor) -> RoleDefinition:
    """Replace what a role may do with ``permission_codes`` (``core.manage_roles``); audited
    with the permissions before and after. Built-in roles too: their defaults are a start."""
    return update_role(role, permissions=list(permission_codes), actor=actor)


def run_job_now(name: str, *, actor) -> dict:
    """Run one scheduled job now (``core.run_jobs``), under its shared lock like every run;
    audited with what came of it. A job another process is running is not started twice:
    the result says so. The job's own work is audited by the job."""
    from .periodic import summary
    from .scheduler import load_jobs

    require(actor, "core.run_jobs", message=_("只有系统管理员可以立即运行定时任务。"))
    jobs = load_jobs()
    if name not in jobs:
        raise ValidationError({"name": _("没有名为“%(n)s”的定时任务。") % {"n": name}})
    ran, result, error = jobs[name].run_now(runner="manual")
    outcome = {"ran": ran, "ok": ran and not error, "busy": not ran and not error,
               "result": summary(result) if ran else "", "error": error[-500:]}
    record("core.run_job", actor=actor, object_type="core.job", object_id=name, after=outcome)
    return outcome
