"""What the page shell itself checks (the rest is each app's)."""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import COMMAND_ROLES, GRID_ROLES, Role
from gridgov.core.access import PermissionSpec

PERMISSIONS = [
    # The API documentation is for the people who connect systems: a department's
    # administrator and data officer, and the system administrator. Grid workers on a phone
    # and department handlers working their cases have no use for it.
    PermissionSpec("web.api_docs", _("在导航中查看 API 文档"),
                   {Role.DEPT_ADMIN, Role.DATA_OFFICER, Role.SYS_ADMIN}),
    # 首页's counts of streets, communities, grids and households: for the people who govern
    # an area. A department's staff hold their role over the whole district only to reach
    # the cases and data sent to them; the district's household count tells them nothing.
    PermissionSpec("web.area_overview", _("在首页查看辖区概况(街道、社区、网格、户数)"),
                   GRID_ROLES | COMMAND_ROLES | {Role.LEADER, Role.SYS_ADMIN}),
]
