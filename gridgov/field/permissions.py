"""What the field terminal checks.

``field.use`` opens the terminal at ``/m/`` (its pages, its sign-in binding to a device row);
what a worker may do there is each screen's own permission (``events.report``, …).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

PERMISSIONS = [
    PermissionSpec("field.use", _("使用移动终端"),
                   {Role.GRID_WORKER, Role.GRID_CHIEF, Role.GRID_INSTRUCTOR,
                    Role.PARTY_MEMBER}),
]
