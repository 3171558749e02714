"""Names of the audit actions the assessment app records (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "assess.scheme": _("保存考核方案"),
    "assess.freeze": _("生成月度考核"),
    "assess.appeal": _("提出考核申诉"),
    "assess.decide_appeal": _("审核考核申诉"),
}
