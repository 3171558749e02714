"""What the rule engine (规则) checks.

The system administrator edits the rules and runs them by hand (``rules.manage``); leaders and
grid chiefs see the rules and the firings of their areas (``rules.view``): which rule fired
for whom, on which facts. A firing names a person, so only roles that see people hold it.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

VIEW = "rules.view"
MANAGE = "rules.manage"

PERMISSIONS = [
    PermissionSpec(VIEW, _("查看规则与触发记录"), {Role.LEADER, Role.GRID_CHIEF}),
    PermissionSpec(MANAGE, _("维护与运行规则"), {Role.SYS_ADMIN}),
]
