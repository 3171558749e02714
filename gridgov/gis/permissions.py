"""What the geographic information service checks.

- ``gis.view``: see the layers shared with one's department or role (the staff roles and
  department API keys); which layers is the sharing rule (``models.Layer.restrict_q``), never
  a role test. Layers open to the public need no permission at all.
- ``gis.publish``: create, upload, publish and grant the department's own layers
  (department-bound: the data officer and the department administrator).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import COMMAND_ROLES, DEPARTMENT_ROLES, GRID_ROLES, Role
from gridgov.core.access import PermissionSpec

VIEW = "gis.view"
PUBLISH = "gis.publish"

# Department API keys read shared layers through the OGC API like any department system.
API_CLIENT = "api_client"
PUBLISHERS = {Role.DATA_OFFICER, Role.DEPT_ADMIN}

PERMISSIONS = [
    PermissionSpec(VIEW, _("查看共享图层"), set(GRID_ROLES) | set(COMMAND_ROLES)
                   | set(DEPARTMENT_ROLES) | {Role.LEADER, API_CLIENT}),
    PermissionSpec(PUBLISH, _("发布和授权本部门的图层"), PUBLISHERS),
]
