"""What 三会一课 checks.

The party secretaries plan and record their organisations' meetings and tick the sign-in
sheet; the grid roles and the leaders see the meetings and the overdue list of their areas; a
party member with an account signs in to a meeting of their own organisation; the system
administrator edits the required frequencies (data, like the visit plans).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

VIEW = "party_meetings.view"
MANAGE = "party_meetings.manage"
SIGN_IN = "party_meetings.sign_in"
MANAGE_REQUIREMENTS = "party_meetings.manage_requirements"

PERMISSIONS = [
    PermissionSpec(VIEW, _("查看三会一课"),
                   {Role.LEADER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR, Role.PARTY_SECRETARY}),
    PermissionSpec(MANAGE, _("组织和记录三会一课"), {Role.PARTY_SECRETARY}),
    PermissionSpec(SIGN_IN, _("本人会议签到"), {Role.PARTY_MEMBER, Role.PARTY_SECRETARY}),
    PermissionSpec(MANAGE_REQUIREMENTS, _("维护三会一课频次要求"), {Role.SYS_ADMIN}),
]
