"""What visits (走访) check.

Grid workers and grid chiefs visit the people in care of their areas; the grid roles, the
command room and the leaders see visits and the overdue list of their areas; the system
administrator edits the visit plans (how often each care group is visited).
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
                   {Role.GRID_WORKER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR,
                    Role.INTAKE_CLERK, Role.SHIFT_LEADER, Role.DISPATCHER, Role.LEADER}),
    PermissionSpec(MANAGE_PLANS, _("维护走访计划"), {Role.SYS_ADMIN}),
]
