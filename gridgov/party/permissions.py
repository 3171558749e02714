"""What party building (党建组织与党员) checks.

The leaders, grid chiefs and grid instructors see the party organisations and members of their
areas (not every grid worker: membership is political information); the
party secretaries (党组织书记) of a street, community or grid also maintain them: the
organisations, posts and terms (换届), members, transfers (组织关系转接) and check-ins (双报到).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

VIEW = "party.view"
MANAGE = "party.manage"

PERMISSIONS = [
    PermissionSpec(VIEW, _("查看党组织与党员"),
                   {Role.LEADER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR, Role.PARTY_SECRETARY}),
    PermissionSpec(MANAGE, _("维护党组织与党员"), {Role.PARTY_SECRETARY}),
]
