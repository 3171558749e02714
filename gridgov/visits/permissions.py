"""What visits (走访) check.

Grid workers and grid chiefs visit the people in care of their areas; the grid roles and the
leaders see visits and the overdue list of their areas; the system administrator edits the
visit plans (how often each care group is visited). The command room does not: visits name
the people in care (elderly people living alone, people with disabilities), which only the
roles that may see people (``basedata.view_people``) read. A visit row is reachable only
where both permissions are held (``models._area_scoped``).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

VISIT = "visits.visit"
VIEW = "visits.view"
MANAGE_PLANS = "visits.manage_plans"

PERMISSIONS = [
    PermissionSpec(VISIT, _("走访关爱对象"), {Role.GRID_WORKER, Role.GRID_CHIEF}),
    PermissionSpec(VIEW, _("查看走访记录"),
                   {Role.GRID_WORKER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR, Role.LEADER}),
    PermissionSpec(MANAGE_PLANS, _("维护走访计划"), {Role.SYS_ADMIN}),
]
