"""What the patrols app checks.

``patrols.patrol``: go on patrol (start, send the track, stop) — grid workers and grid chiefs,
their own patrols only. ``patrols.view``: read the patrols and on-duty positions of the areas
where it is held — the command room, leaders, grid chiefs and instructors. Everyone reads their
own patrols.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

PATROL = "patrols.patrol"
VIEW = "patrols.view"

PERMISSIONS = [
    PermissionSpec(PATROL, _("巡查(开始、结束、上传轨迹)"), {Role.GRID_WORKER, Role.GRID_CHIEF}),
    PermissionSpec(VIEW, _("查看巡查记录与在岗位置"),
                   {Role.INTAKE_CLERK, Role.SHIFT_LEADER, Role.DISPATCHER, Role.LEADER,
                    Role.GRID_CHIEF, Role.GRID_INSTRUCTOR}),
]
