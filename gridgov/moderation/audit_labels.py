"""Names of the audit actions the moderation app records (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "moderation.hold": _("内容被拦截待审"),
    "moderation.approve": _("审核通过"),
    "moderation.reject": _("审核驳回"),
    "moderation.term_create": _("新增过滤词"),
    "moderation.term_update": _("修改过滤词"),
}
