"""Names of the audit actions the partywork app records (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "partywork.link": _("建立党员联系户"),
    "partywork.unlink": _("解除党员联系户"),
    "partywork.contact": _("记录联系户联系情况"),
    "partywork.import_contacts": _("补录联系户联系情况"),
    "partywork.activity": _("保存志愿服务活动"),
    "partywork.activity_cancel": _("取消志愿服务活动"),
    "partywork.activity_finish": _("结束志愿服务活动"),
    "partywork.sign_up": _("报名志愿服务活动"),
    "partywork.cancel_signup": _("取消志愿服务报名"),
    "partywork.credit_hours": _("认定志愿服务时长"),
}
