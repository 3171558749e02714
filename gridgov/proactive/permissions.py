"""What proactive services (主动服务) check.

- ``proactive.view``: the service tasks and consents of one's areas (grid roles, leaders);
  department handlers see the tasks sent to their department. Like visits, the command room
  does not read them: they name the people in care.
- ``proactive.view_benefits``: the benefits of the people of one's areas (免申即享 list).
- ``proactive.work``: close a service task (grid workers and chiefs in their areas,
  department handlers for their department's tasks).
- ``proactive.consent``: record whether a person agreed to be told by SMS (grid workers and
  chiefs, who meet the person).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

VIEW = "proactive.view"
BENEFITS = "proactive.view_benefits"
WORK = "proactive.work"
CONSENT = "proactive.consent"

PERMISSIONS = [
    PermissionSpec(VIEW, _("查看主动服务"),
                   {Role.GRID_WORKER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR, Role.LEADER,
                    Role.DEPT_HANDLER, Role.DEPT_ADMIN}),
    PermissionSpec(BENEFITS, _("查看待遇(免申即享)"),
                   {Role.GRID_WORKER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR, Role.LEADER}),
    PermissionSpec(WORK, _("办理主动服务任务"),
                   {Role.GRID_WORKER, Role.GRID_CHIEF, Role.DEPT_HANDLER}),
    PermissionSpec(CONSENT, _("登记短信告知意愿"), {Role.GRID_WORKER, Role.GRID_CHIEF}),
]
