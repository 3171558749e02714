"""Names of the audit actions the patrols app records (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "patrols.start": _("开始巡查"),
    "patrols.stop": _("结束巡查"),
    "patrols.auto_end": _("巡查超时自动结束"),
    "patrols.record": _("登记历史巡查"),
}
