"""Names of the audit actions and object types the core app records
(read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "core.access_sync": _("同步权限与角色"),
    "core.role_created": _("新建角色"),
    "core.role_updated": _("修改角色"),
    "core.calendar_day": _("设置工作日历"),
    "core.backup": _("备份数据库"),
    "core.restore": _("恢复数据库"),
    "core.export_throttled": _("导出过于频繁被拒绝"),
    "core.run_job": _("立即运行定时任务"),
    "core.lookup_key.rehash": _("重算检索哈希"),
    "core.lookup_key.rehash_done": _("检索哈希重算完成"),
}

OBJECT_TYPES = {
    "core.database": _("数据库"),
    "core.permission": _("权限"),
    "core.lookup_key": _("检索密钥"),
    "core.export": _("导出"),
    "core.job": _("定时任务"),
}
