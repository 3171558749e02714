"""What needs analysis (需求分析) and the party-building / proactive-services statistics check.

The leaders, grid chiefs and grid instructors read the needs of their areas (``needs.view``);
the same roles and the party secretaries read the statistics of both functions
(``needs.view_overview``); the system administrator edits the vocabulary of need categories
and refreshes the figures on demand (``needs.manage``).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

VIEW = "needs.view"
VIEW_OVERVIEW = "needs.view_overview"
MANAGE = "needs.manage"

PERMISSIONS = [
    PermissionSpec(VIEW, _("查看群众需求分析"),
                   {Role.LEADER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR}),
    PermissionSpec(VIEW_OVERVIEW, _("查看党建与主动服务统计"),
                   {Role.LEADER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR, Role.PARTY_SECRETARY}),
    PermissionSpec(MANAGE, _("维护需求分类"), {Role.SYS_ADMIN}),
]
