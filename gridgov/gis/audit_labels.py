"""Names of the audit actions the geographic information service records (read by
``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "gis.create_layer": _("新建图层"),
    "gis.update_layer": _("修改图层"),
    "gis.upload_features": _("上传图层要素"),
    "gis.grant": _("授权使用图层"),
    "gis.revoke_grant": _("撤销图层授权"),
}
