"""Names of the audit actions of background jobs (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "background.submit": _("提交后台作业"),
    "background.cancel": _("取消后台作业"),
}

OBJECT_TYPES = {
    "background.job": _("后台作业"),
}
