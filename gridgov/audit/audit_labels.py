"""Names of the audit app's own actions (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "audit.export": _("导出审计日志"),
    "audit.verify": _("校验审计日志"),
    "audit.purge": _("清理过期审计记录"),
    "audit.rotate_key": _("轮换审计密钥"),
}

OBJECT_TYPES = {
    "audit.export": _("审计日志导出"),
    "audit.verify": _("审计日志校验"),
    "audit.purge": _("审计记录清理"),
}
