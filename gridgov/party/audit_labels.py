"""Names of the audit actions the party app records (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "party.org_save": _("保存党组织"),
    "party.org_deactivate": _("撤销党组织"),
    "party.term": _("党组织换届"),
    "party.term_reminder": _("换届提醒"),
    "party.post": _("任命党组织职务"),
    "party.post_end": _("免去党组织职务"),
    "party.member_add": _("登记党员"),
    "party.member_save": _("修改党员信息"),
    "party.member_status": _("变更党员状态"),
    "party.transfer": _("发起组织关系转接"),
    "party.transfer_accept": _("接收组织关系转接"),
    "party.transfer_reject": _("退回组织关系转接"),
    "party.transfer_cancel": _("撤回组织关系转接"),
    "party.checkin": _("在职党员到社区报到"),
    "party.checkout": _("取消社区报到"),
    "party.import": _("导入党组织与党员"),
}
