"""The built-in roles (REFERENCE §4) and the permissions of the account pages.

Roles are data (``core.RoleDefinition``); these are the ones every installation starts with.
An administrator adds more and edits what every role may do on the roles page.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.core.access import PermissionSpec, RoleSpec

from .choices import Role

GRID, COMMUNITY, STREET, DISTRICT = "grid", "community", "street", "district"

# The area levels a role may be held at: a grid worker works one grid; grid chiefs and
# instructors a community (or a single grid); the three administrators act for the whole
# district. Roles with none may be held at any level.
ROLES = [
    RoleSpec(Role.GRID_WORKER, Role.GRID_WORKER.label, area_levels=(GRID,), order=10),
    RoleSpec(Role.GRID_CHIEF, Role.GRID_CHIEF.label, area_levels=(COMMUNITY, GRID), order=20),
    RoleSpec(Role.GRID_INSTRUCTOR, Role.GRID_INSTRUCTOR.label, area_levels=(COMMUNITY, GRID),
             order=30),
    RoleSpec(Role.INTAKE_CLERK, Role.INTAKE_CLERK.label, order=40),
    RoleSpec(Role.SHIFT_LEADER, Role.SHIFT_LEADER.label, order=50),
    RoleSpec(Role.DISPATCHER, Role.DISPATCHER.label, order=60),
    RoleSpec(Role.DEPT_HANDLER, Role.DEPT_HANDLER.label, department_bound=True, order=70),
    RoleSpec(Role.DEPT_ADMIN, Role.DEPT_ADMIN.label, department_bound=True, order=80),
    RoleSpec(Role.LEADER, Role.LEADER.label, order=90),
    RoleSpec(Role.DATA_OFFICER, Role.DATA_OFFICER.label, department_bound=True, order=100),
    RoleSpec(Role.SYS_ADMIN, Role.SYS_ADMIN.label, area_levels=(DISTRICT,), admin_duty=True,
             order=110),
    RoleSpec(Role.SEC_ADMIN, Role.SEC_ADMIN.label, area_levels=(DISTRICT,), admin_duty=True,
             order=120),
    RoleSpec(Role.AUDIT_ADMIN, Role.AUDIT_ADMIN.label, area_levels=(DISTRICT,),
             admin_duty=True, order=130),
    # 党建: the secretary of a street, community or grid party organisation; a party member
    # with an account (e.g. a volunteer) in one grid.
    RoleSpec(Role.PARTY_SECRETARY, Role.PARTY_SECRETARY.label,
             area_levels=(STREET, COMMUNITY, GRID), order=140),
    RoleSpec(Role.PARTY_MEMBER, Role.PARTY_MEMBER.label, area_levels=(GRID,), order=150),
    # Held by department API keys, never by a person.
    RoleSpec("api_client", _("部门接口"), department_bound=True, assignable=False, order=200),
]

SYS, SEC = Role.SYS_ADMIN, Role.SEC_ADMIN

PERMISSIONS = [
    PermissionSpec("accounts.view_users", _("查看账号"), {SYS, SEC}),
    PermissionSpec("accounts.manage_users", _("创建、修改、停用账号"), {SYS}),
    PermissionSpec("accounts.assign_roles", _("分配与撤销角色"), {SEC}),
    PermissionSpec("accounts.manage_locks", _("解除账号锁定"), {SEC}),
    PermissionSpec("accounts.reset_second_factor", _("重置动态口令"), {SEC}),
    PermissionSpec("accounts.manage_departments", _("维护部门"), {SYS}),
    PermissionSpec("accounts.manage_api_keys", _("签发与吊销部门 API 密钥"),
                   {SYS, Role.DEPT_ADMIN}),
    PermissionSpec("accounts.manage_device_tokens", _("吊销他人的设备令牌"), {SEC}),
    # Who may see another person's full mobile number (with a reason, audited): the security
    # administrator, who reaches people about their accounts (a lock-out, a lost phone).
    PermissionSpec("accounts.reveal_phone", _("查看他人完整手机号"), {SEC}),
]
