"""Names of the audit actions the video platform records (read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "video.register_camera": _("登记摄像头"),
    "video.update_camera": _("修改摄像头"),
    "video.set_status": _("变更摄像头状态"),
    "video.retire_camera": _("停用摄像头"),
    "video.import_cameras": _("导入摄像头"),
    "video.grant": _("授权使用摄像头"),
    "video.revoke_grant": _("撤销摄像头授权"),
    "video.open_live_view": _("调阅摄像头实时画面"),
    "video.report_from_camera": _("视频巡查上报事件"),
}
