"""Names of the audit actions the notifications app records
(read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "notifications.send": _("发送通知"),
    "notifications.read": _("阅读通知"),
    "notifications.read_all": _("全部标为已读"),
}
