"""Permissions of the platform core: the role table itself and the working-day calendar."""

from django.utils.translation import gettext_lazy as _

from gridgov.core.access import PermissionSpec

PERMISSIONS = [
    # 等保 三员: the security administrator decides who may do what.
    PermissionSpec("core.manage_roles", _("维护角色与权限表"), {"sec_admin"}),
    PermissionSpec("core.edit_calendar", _("维护工作日历"), {"sys_admin"}),
    # The scheduled jobs (core.periodic): each one's last run, and "run now".
    PermissionSpec("core.view_jobs", _("查看定时任务运行情况"), {"sys_admin"}),
    PermissionSpec("core.run_jobs", _("立即运行定时任务"), {"sys_admin"}),
]
