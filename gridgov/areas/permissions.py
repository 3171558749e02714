"""What the area pages, the area API and the map check. Defaults mirror the role sets the code
checked before issue 8; the role → permission table is data (``core.RoleDefinition``)."""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

GRID_ROLES = {Role.GRID_WORKER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR}
COMMAND = {Role.INTAKE_CLERK, Role.SHIFT_LEADER, Role.DISPATCHER}
EVERY_ROLE = {role.value for role in Role} | {"api_client"}

PERMISSIONS = [
    # Every built-in role reads the areas it holds (and the areas above them, as context);
    # a role without it sees no area, no map and no point lookup.
    PermissionSpec("areas.view", _("查看所在区域与网格地图"), EVERY_ROLE),
    # Beyond its own areas: the system administrator maintains them all, and a department's
    # system locates work anywhere in the district.
    PermissionSpec("areas.view_all", _("查看全部区域"), {Role.SYS_ADMIN, "api_client"}),
    PermissionSpec("areas.manage", _("维护区域(新建、修改、撤销)"), {Role.SYS_ADMIN}),
    # Whose names (phones masked) an area's page and the map list as its staff. The three
    # administrators and department staff are nobody's area staff.
    PermissionSpec("areas.listed_as_staff", _("作为区域工作人员公示"),
                   GRID_ROLES | COMMAND | {Role.LEADER}),
    # The home page's grid roster: a grid role's grids and the people working them.
    PermissionSpec("areas.grid_roster", _("查看本网格人员名单"), GRID_ROLES),
    PermissionSpec("areas.watch_staffing", _("关注未配备网格员的网格"),
                   {Role.GRID_CHIEF, Role.GRID_INSTRUCTOR}),
]
