"""What the audit log checks. Only the audit administrator holds these by default (等保 三员:
the log is read by nobody whose actions it records as an administrator)."""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.core.access import PermissionSpec

AUDITOR = {Role.AUDIT_ADMIN}

PERMISSIONS = [
    PermissionSpec("audit.view_log", _("查阅审计日志"), AUDITOR),
    PermissionSpec("audit.export_log", _("导出审计日志"), AUDITOR),
    PermissionSpec("audit.verify_chain", _("校验审计链"), AUDITOR),
    PermissionSpec("audit.purge", _("按保存期限清理审计记录"), AUDITOR),
    PermissionSpec("audit.rotate_key", _("记录审计密钥轮换"), AUDITOR),
]
