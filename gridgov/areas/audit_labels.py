"""Names of the audit actions the areas app records (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "areas.create": _("新建区域"),
    "areas.update": _("修改区域"),
    "areas.retire": _("撤销区域"),
}
