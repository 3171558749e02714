"""Names of the audit actions the visits app records (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "visits.visit": _("记录走访"),
    "visits.import": _("补录历史走访"),
    "visits.plan": _("保存走访计划"),
    "visits.plan_retire": _("停用走访计划"),
    "visits.sync": _("更新走访排期"),
    "visits.close": _("关闭走访排期"),
}
