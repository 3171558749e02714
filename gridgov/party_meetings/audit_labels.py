"""Names of the audit actions the 三会一课 app records (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "party_meetings.plan": _("发布会议通知"),
    "party_meetings.sign_in": _("会议签到"),
    "party_meetings.record": _("记录会议"),
    "party_meetings.cancel": _("取消会议"),
    "party_meetings.requirement": _("保存三会一课频次要求"),
    "party_meetings.import": _("导入历史会议"),
}
