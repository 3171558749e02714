"""What the page shell itself checks (the rest is each app's)."""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import DEPARTMENT_ROLES, Role
from gridgov.core.access import PermissionSpec

PERMISSIONS = [
    # The API documentation is for the people who connect systems: department staff and the
    # system administrator. Grid workers on a phone have no use for it.
    PermissionSpec("web.api_docs", _("在导航中查看 API 文档"), DEPARTMENT_ROLES | {Role.SYS_ADMIN}),
]
