"""Names of the audit actions proactive services record (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "proactive.benefit_start": _("启动待遇(免申即享)"),
    "proactive.benefit_tier": _("调整待遇档次"),
    "proactive.benefit_stop": _("停发待遇"),
    "proactive.task_open": _("生成服务任务"),
    "proactive.task_close": _("办结服务任务"),
    "proactive.task_cancel": _("取消服务任务"),
    "proactive.person_ended": _("人员死亡/迁出:停发待遇并取消任务"),
    "proactive.visit_closed": _("走访办结服务任务"),
    "proactive.consent": _("登记短信告知意愿"),
}
