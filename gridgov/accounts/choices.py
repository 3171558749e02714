"""The built-in role codes and department kinds (REFERENCE §4).

Roles are data (``core.RoleDefinition``, with what each may do in its permissions); ``Role``
names the built-in ones the platform ships with (``accounts/permissions.py`` declares them
and their default permissions). Code checks permissions, never these codes; the sets below
are the built-in roles' groupings, kept for the declarations and the demo loader. Labels and
choices for forms come from the table (``grants.role_label``, ``grants.role_choices``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_CHIEF = "grid_chief", _("网格长")
    GRID_INSTRUCTOR = "grid_instructor", _("网格指导员")
    INTAKE_CLERK = "intake_clerk", _("受理员")
    SHIFT_LEADER = "shift_leader", _("值班长")
    DISPATCHER = "dispatcher", _("派遣员")
    DEPT_HANDLER = "dept_handler", _("部门处置员")
    DEPT_ADMIN = "dept_admin", _("部门管理员")
    LEADER = "leader", _("领导")
    DATA_OFFICER = "data_officer", _("数据专员")
    SYS_ADMIN = "sys_admin", _("系统管理员")
    SEC_ADMIN = "sec_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")
    PARTY_SECRETARY = "party_secretary", _("党组织书记")
    PARTY_MEMBER = "party_member", _("党员")


# 等保 "三员": separated duties; a person holds at most one of them, and nothing else.
ADMIN_ROLES = frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN})
GRID_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR})
COMMAND_ROLES = frozenset({Role.INTAKE_CLERK, Role.SHIFT_LEADER, Role.DISPATCHER})
DEPARTMENT_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_ADMIN, Role.DATA_OFFICER})


class DepartmentKind(models.TextChoices):
    PARTY = "party", _("党委部门")
    GOVERNMENT = "government", _("政府部门")
    STREET = "street", _("街道(乡镇)")
    OTHER = "other", _("其他单位")
