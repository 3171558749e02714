"""Names of the audit actions the rule engine records (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "rules.save": _("保存规则"),
    "rules.retire": _("停用规则"),
    "rules.run": _("运行规则"),
    "rules.fire": _("规则触发"),
}
