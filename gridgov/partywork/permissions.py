"""What 党员联系户 and volunteer service check.

- ``partywork.view``: the leaders, the grid roles and the party secretaries see the links,
  contacts and activities of their areas (and the coverage figures);
- ``partywork.manage``: a party secretary links members to households and unlinks them,
  logs contacts for any link of the area, organises volunteer activities, signs members up
  and credits their service hours;
- ``partywork.contact``: a party member with an account logs contacts with the households
  linked to them (their own links only; held by the secretaries too);
- ``partywork.volunteer``: a party member signs up for (and cancels) the volunteer
  activities of their areas.

A party member sees their own links, contacts and sign-ups and the activities of the areas
above and below their grid, never the other members' households.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

VIEW = "partywork.view"
MANAGE = "partywork.manage"
CONTACT = "partywork.contact"
VOLUNTEER = "partywork.volunteer"

PERMISSIONS = [
    PermissionSpec(VIEW, _("查看党员联系户与志愿服务"),
                   {Role.LEADER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR, Role.GRID_WORKER,
                    Role.PARTY_SECRETARY}),
    PermissionSpec(MANAGE, _("维护党员联系户与志愿服务"), {Role.PARTY_SECRETARY}),
    PermissionSpec(CONTACT, _("记录联系户联系情况"), {Role.PARTY_MEMBER, Role.PARTY_SECRETARY}),
    PermissionSpec(VOLUNTEER, _("报名志愿服务活动"), {Role.PARTY_MEMBER}),
]
