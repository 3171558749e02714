"""The messages the field terminal's scripts show, drawn into every page of the terminal by
``field/_js_texts.html`` (a JSON script tag, #gg-field-texts: the CSP allows no inline script
but a JSON one) so the device shows them in the page's language. Each script reads them with
a small ``t(key, fallback)`` and keeps the Chinese text as its fallback; placeholders are
Django's (``%(n)s``), filled in by the script."""

from django.utils.translation import gettext_lazy as _

FIELD_TEXTS = {
    # outbox.js: a form queued on the device, or not.
    "queued": _("已保存到发件箱,有网络时自动发送"),
    "storeFailed": _("保存失败:本机存储不可用"),
    # shell.js: the network state.
    "online": _("在线"),
    "offline": _("离线"),
    # geo.js: the device's position on a form marked data-geo (a form may name another
    # key for the fix with data-geo-fix-text).
    "geoFix": _("已定位,精度约 %(m)s 米"),
    "geoFixReport": _("定位精度 ±%(m)s 米"),
    "geoWaiting": _("正在定位…"),
    "geoDenied": _("未获得定位权限:请在浏览器设置中允许定位,或在地图上选点"),
    "geoFailed": _("暂时无法定位,请到开阔处再试,或在地图上选点"),
    # outbox-page.js: the outbox page (/m/outbox/).
    "outboxPending": _("待发送"),
    "outboxSending": _("发送中"),
    "outboxDone": _("已送达"),
    "outboxRejected": _("被退回"),
    "outboxConflict": _("有冲突"),
    "outboxAuth": _("等待登录"),
    "outboxReplaced": _("已改正重发"),
    "outboxNumber": _("编号"),
    "outboxAttempts": _("已尝试 %(n)s 次"),
    "outboxNext": _("下次重试"),
    "outboxEdit": _("修改后重发"),
    "outboxDiscard": _("放弃"),
    "outboxCurrent": _("服务器上的当前内容"),
    "outboxPhoto": _("照片"),
    "outboxKeep": _("保留"),
    "outboxDiscardConfirm": _("放弃这条内容?放弃后无法恢复。"),
    "outboxSignin": _("登录已失效,请重新登录后自动发送。"),
    "outboxMore": _("其他字段"),
    "outboxOpen": _("打开页面"),
    "outboxLogin": _("重新登录"),
    # me.js: 我的.
    "meConfirmUnsent": _("发件箱中还有 %(n)s 条内容未发送,退出登录会把它们从本机删除。确定退出吗?"),
    "meStorage": _("本机存储:"),
    # patrol.js (patrols): 巡查.
    "patrolStart": _("开始巡查"),
    "patrolStop": _("结束巡查"),
    "patrolStarting": _("正在定位…"),
    "patrolConfirmStop": _("确定结束本次巡查?"),
    "patrolStartLabel": _("巡查:开始"),
    "patrolPointsLabel": _("巡查:轨迹 %(n)s 点"),
    "patrolStopLabel": _("巡查:结束"),
    "patrolNoOutbox": _("发件箱不可用,请刷新页面后重试。"),
    "patrolNoGeo": _("无法定位:%(reason)s。巡查仍会记录时间,请检查定位权限。"),
    "patrolFix": _("定位精度 %(n)s 米"),
    "patrolWeak": _("定位精度差(%(n)s 米),此点不记录"),
    "patrolActive": _("巡查中"),
    "patrolIdle": _("未在巡查"),
    "patrolEnded": _("巡查已结束:%(t)s · %(d)s,将在联网时上传。"),
    "patrolKm": _("%(n)s 公里"),
    "patrolHere": _("当前位置"),
}
