"""Names of the audit actions the tasks app records (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "tasks.assign": _("派发指挥任务"),
    "tasks.accept": _("接收指挥任务"),
    "tasks.complete": _("完成指挥任务"),
    "tasks.cancel": _("取消指挥任务"),
    "tasks.reassign": _("改派指挥任务"),
}
