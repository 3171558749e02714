"""What the statistics check: one permission to read them (leaders and the command room).

The figures themselves are rows of ``Event.objects.restrict(user, "view")``, so holding this
permission opens the pages, never more events than the person already sees.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

PERMISSIONS = [
    PermissionSpec("stats.view", _("查看统计分析"),
                   {Role.LEADER, Role.INTAKE_CLERK, Role.SHIFT_LEADER, Role.DISPATCHER}),
    # The keyword dictionary of 热词分析 (places, governance terms, stop words) and its index.
    PermissionSpec("stats.manage_keywords", _("维护热词词典"), {Role.SYS_ADMIN}),
]
