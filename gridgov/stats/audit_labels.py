"""Names of the audit actions the statistics app records (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "stats.keyword_create": _("新增热词词条"),
    "stats.keyword_update": _("修改热词词条"),
    "stats.keyword_rebuild": _("重建热词索引"),
}
