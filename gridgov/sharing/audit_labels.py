"""Names of the audit actions the sharing app records (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "sharing.upload": _("登记数据资源"),
    "sharing.update": _("修改数据资源"),
    "sharing.publish": _("发布数据资源"),
    "sharing.withdraw": _("撤回数据资源"),
    "sharing.request": _("申请共享"),
    "sharing.withdraw_request": _("撤回共享申请"),
    "sharing.approve": _("批准共享申请"),
    "sharing.refuse": _("驳回共享申请"),
    "sharing.grant": _("授予共享权限"),
    "sharing.revoke": _("收回共享权限"),
    "sharing.dispute": _("提出共享异议"),
    "sharing.resolve": _("协调共享异议"),
    "sharing.exchange": _("数据交换"),
    "sharing.mask_exchange_params": _("脱敏交换记录参数(迁移)"),
}
