"""Names of the audit actions the needs app records (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "needs.refresh": _("更新需求统计"),
    "needs.category_save": _("保存需求分类"),
}
