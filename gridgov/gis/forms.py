"""The forms of the layers' pages; the actions check everything again (the API and the demo
loader call them without a form)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.models import Department

from .choices import GeometryType, SharingType, SourceCrs

UPLOAD_TYPES = ".geojson,.json,.zip,application/geo+json,application/json,application/zip"


class LayerForm(forms.Form):
    code = forms.CharField(label=_("图层编码"), max_length=40,
                           help_text=_("小写字母、数字和连字符,如 flood-01;创建后不能修改。"))
    name = forms.CharField(label=_("名称"), max_length=100)
    description = forms.CharField(label=_("说明"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    geometry_type = forms.ChoiceField(label=_("几何类型"), choices=GeometryType.choices)
    sharing_type = forms.ChoiceField(label=_("共享类型"), choices=SharingType.choices,
                                     initial=SharingType.CONDITIONAL)
    sharing_condition = forms.CharField(label=_("共享条件"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=_("不予共享依据"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    is_public = forms.BooleanField(label=_("向社会开放"), required=False,
                                   help_text=_("仅“无条件共享”的图层可以开放;开放后未登录的公众也能读取。"))
    is_published = forms.BooleanField(label=_("发布"), required=False,
                                      help_text=_("发布后按共享规则提供给其他部门和 OGC API。"))

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
        else:
            # A new layer has no features yet: it is published after its first upload.
            del self.fields["is_published"]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("数据文件"),
                           help_text=_("GeoJSON(.geojson / .json),或压缩为 .zip 的 Shapefile"
                                       "(含 .shp、.shx、.dbf,最好附 .prj)。"
                                       "上传将整体替换图层现有要素。"),
                           widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_TYPES}))
    declared_crs = forms.ChoiceField(label=_("坐标系(无 .prj 时)"), choices=SourceCrs.choices,
                                     initial=SourceCrs.WGS84,
                                     help_text=_("Shapefile 附有 .prj 时以 .prj 为准;"
                                                 "GCJ-02 坐标将换算为 WGS-84。"))


class GrantForm(forms.Form):
    layer = forms.ChoiceField(label=_("图层"), required=False)
    department = forms.ModelChoiceField(label=_("被授权部门"), required=False,
                                        queryset=Department.objects.none())
    role = forms.ChoiceField(label=_("或被授权角色"), required=False)
    reason = forms.CharField(label=_("授权事由"), max_length=200)

    def __init__(self, *args, layers=(), owner=None, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["layer"].choices = [("", _("全部有条件共享图层"))] + [
            (str(layer.pk), f"{layer.name}({layer.code})") for layer in layers]
        qs = Department.objects.filter(is_active=True).order_by("code")
        if owner is not None:
            qs = qs.exclude(pk=owner.pk)
        self.fields["department"].queryset = qs
        self.fields["role"].choices = [("", "—")] + list(roles)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销理由"), max_length=200)
