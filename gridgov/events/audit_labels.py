"""Names of the audit actions and object types the events app records
(read by ``gridgov.audit.labels``). Each step of a case is recorded as ``events.<action>``
(``actions.base.trace``), named by the workflow's transition labels, so a new transition is
named where it is defined."""

from django.utils.translation import gettext_lazy as _

from .trace import EXTRA_LABELS
from .workflow import TRANSITIONS

ACTIONS = {
    **{f"events.{code}": t.label for code, t in TRANSITIONS.items()},
    **{f"events.{code}": label for code, label in EXTRA_LABELS.items()},
    "events.category_create": _("新增事件类别"),
    "events.category_update": _("修改事件类别"),
    "events.major_save": _("保存事件大类"),
    "events.platform_save": _("保存上报平台"),
    "events.hotline_import": _("导入热线工单"),
    "events.evidence_rule_seed": _("初始化取证规则"),
    "events.evidence_rule_save": _("保存取证规则"),
    "events.evidence_rule_clear": _("清除取证规则"),
    "events.backfill_steps": _("补建事件步骤索引"),
    "events.requests_lapsed": _("申请自动失效(迁移)"),
    "events.requests_unlapsed": _("恢复失效申请(迁移回退)"),
    "events.encrypt_reporter_phones": _("加密上报人电话(迁移)"),
    "events.decrypt_reporter_phones": _("解密上报人电话(迁移回退)"),
    # 案件查询: saved searches and exports.
    "events.saved_filter_create": _("保存查询条件"),
    "events.saved_filter_update": _("更新保存的查询"),
    "events.saved_filter_rename": _("重命名保存的查询"),
    "events.saved_filter_delete": _("删除保存的查询"),
    "events.search_export": _("导出案件查询结果"),
    "events.rebuild_rollups": _("重建统计汇总表"),
}

OBJECT_TYPES = {
    "events.hotline_upload": _("热线工单文件"),
    "events.search": _("案件查询"),
    "events.eventrollup": _("事件统计汇总"),
}
