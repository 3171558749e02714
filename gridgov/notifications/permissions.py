"""Who is told of what, where no workflow permission says it already.

Most notices go to the people who may take the next step (``events.dispatch`` holders hear of
a return, ``events.register`` holders of a new report, ...: see ``recipients``). These
permissions name the audiences whose default roles differ from any step's: the department
handlers and grid workers who hear of work sent to them, the grid workers who verify, and
the shift leaders told of every overdue stage. Defaults mirror the roles told before the
table was data; an administrator edits them like any other grant.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

PERMISSIONS = [
    PermissionSpec("notifications.handling_notice", _("接收派遣、返工与督办通知"),
                   {Role.DEPT_HANDLER, Role.GRID_WORKER}),
    PermissionSpec("notifications.verification_notice", _("接收待核查通知"),
                   {Role.GRID_WORKER}),
    PermissionSpec("notifications.overdue_notice", _("接收辖区超期通知"),
                   {Role.SHIFT_LEADER}),
]
