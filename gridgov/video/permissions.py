"""What the video platform checks.

- ``video.use``: find and open the cameras one may use (live view, snapshot, video patrol);
  which cameras is the registry's sharing rule (``models.Camera.restrict_q``), never a role
  test. The command room, department staff and leaders hold it; grid workers do not.
- ``video.manage``: register and maintain the department's own cameras and grant them
  (department-bound: the owner's data officer and department administrator).
- ``video.view_log``: read the live-view log (调阅记录): the owner's managers for their own
  cameras, the audit administrator for all.
- ``video.view_stats``: the online rate and usage statistics per department.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import COMMAND_ROLES, DEPARTMENT_ROLES, Role
from gridgov.core.access import PermissionSpec

USE = "video.use"
MANAGE = "video.manage"
VIEW_LOG = "video.view_log"
VIEW_STATS = "video.view_stats"

MANAGERS = {Role.DATA_OFFICER, Role.DEPT_ADMIN}

PERMISSIONS = [
    PermissionSpec(USE, _("调阅共享摄像头"), set(COMMAND_ROLES) | set(DEPARTMENT_ROLES)
                   | {Role.LEADER}),
    PermissionSpec(MANAGE, _("登记、维护和授权本部门的摄像头"), MANAGERS),
    PermissionSpec(VIEW_LOG, _("查看摄像头调阅记录"), MANAGERS | {Role.AUDIT_ADMIN}),
    PermissionSpec(VIEW_STATS, _("查看视频资源统计"),
                   MANAGERS | {Role.LEADER, Role.SHIFT_LEADER}),
]
