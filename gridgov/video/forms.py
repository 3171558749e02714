"""Forms of the registry's pages (they check the input's shape; the actions decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CameraKind, CameraStatus, SharingType

CRS = [("wgs84", _("WGS-84(GPS)")), ("gcj02", _("GCJ-02(高德、腾讯)"))]


class CameraForm(forms.Form):
    """Register (with the code) or edit (without) one camera."""

    code = forms.CharField(label=_("国标编码"), max_length=40,
                           help_text=_("GB/T 28181 的 20 位设备编码。"))
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=CameraKind.choices)
    place = forms.CharField(label=_("安装位置"), max_length=200, required=False)
    lng = forms.FloatField(label=_("经度"), min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90)
    crs = forms.ChoiceField(label=_("坐标系"), choices=CRS, initial="wgs84")
    sharing_type = forms.ChoiceField(label=_("共享类型"), choices=SharingType.choices,
                                     initial=SharingType.CONDITIONAL)
    sharing_condition = forms.CharField(label=_("共享条件"), required=False, max_length=2000,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=_("不予共享依据"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    installed_on = forms.DateField(label=_("安装日期"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    rtsp_url = forms.CharField(label=_("RTSP 地址"), max_length=500, required=False)
    hls_url = forms.CharField(label=_("HLS 地址"), max_length=500, required=False)
    webrtc_url = forms.CharField(label=_("WebRTC 地址"), max_length=500, required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=CameraStatus.choices)
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("文件(Excel 或 CSV)"))


class GrantForm(forms.Form):
    """Grant one conditional camera (by code) or all of them to a department or a role."""

    camera = forms.CharField(label=_("摄像头国标编码"), max_length=20, required=False,
                             help_text=_("留空表示本部门全部有条件共享的摄像头。"))
    department = forms.ChoiceField(label=_("被授权部门"), required=False)
    role = forms.ChoiceField(label=_("被授权角色"), required=False)
    reason = forms.CharField(label=_("授权事由"), max_length=200)

    def __init__(self, *args, departments=(), roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "—")] + [(d.code, d.name) for d in departments]
        self.fields["role"].choices = [("", "—")] + list(roles)
