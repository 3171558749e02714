"""What the tasks app checks.

``tasks.assign``: the command room creates, cancels and reassigns tasks within its areas;
``tasks.view``: reads the tasks within the person's areas (command room, leaders, grid
roles); ``tasks.work``: a grid worker (or chief) accepts and completes the tasks assigned to
them, and may be chosen as a task's assignee.

Party members take part in grid work (issue 14, 党员联系户): a member with an account
(``party_member``) may be given a visit or verification task, and a party secretary
(``party_secretary``) may assign tasks inside their areas, like the command room.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

PERMISSIONS = [
    PermissionSpec("tasks.assign", _("派发指挥任务"),
                   {Role.DISPATCHER, Role.SHIFT_LEADER, Role.PARTY_SECRETARY}),
    PermissionSpec("tasks.view", _("查看指挥任务"),
                   {Role.DISPATCHER, Role.SHIFT_LEADER, Role.INTAKE_CLERK, Role.LEADER,
                    Role.GRID_WORKER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR}),
    PermissionSpec("tasks.work", _("执行指挥任务"),
                   {Role.GRID_WORKER, Role.GRID_CHIEF, Role.PARTY_MEMBER}),
]
