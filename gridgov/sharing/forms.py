"""Page forms of the data resource centre. They check input shapes; the actions decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import (
    BaseLibrary,
    FieldType,
    Masking,
    OpenAttribute,
    ResourceFormat,
    SharingMethod,
    SharingType,
    UpdateCycle,
)

FIELDS_HELP = _("每行一个数据项:字段名,中文名,数据类型,是否敏感。例如 <code>id_number,身份证号,"
                "string,是</code>。数据类型:string、integer、number、date、datetime、boolean。")


def parse_field_lines(text: str) -> list[dict]:
    """Data items from "name,label,type,sensitive" lines (the action validates them)."""
    out = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.replace(",", ",").split(",")]
        if not any(parts):
            continue
        parts += [""] * (4 - len(parts))
        out.append({
            "name": parts[0], "label": parts[1], "type": parts[2] or FieldType.STRING,
            "sensitive": parts[3].lower() in ("是", "1", "true", "yes", "y", "敏感"),
        })
    return out


class PublishForm(forms.Form):
    name = forms.CharField(label=_("资源名称"), max_length=200)
    code = forms.CharField(label=_("资源代码"), max_length=60, required=False,
                           help_text=_("留空自动生成:部门编码-类项目-序号。"))
    category = forms.CharField(label=_("类(1 位)"), max_length=1)
    item = forms.CharField(label=_("项(2 位)"), max_length=2)
    catalog = forms.CharField(label=_("目(3 位)"), max_length=3)
    subcatalog = forms.CharField(label=_("细目"), max_length=6, required=False)
    abstract = forms.CharField(label=_("摘要"), widget=forms.Textarea(attrs={"rows": 3}))
    format = forms.ChoiceField(label=_("格式"), choices=ResourceFormat.choices)
    update_cycle = forms.ChoiceField(label=_("更新周期"), choices=UpdateCycle.choices)
    sharing_type = forms.ChoiceField(label=_("共享类型"), choices=SharingType.choices)
    sharing_condition = forms.CharField(label=_("共享条件"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=_("不予共享依据"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("不予共享时必填:法律、行政法规或国家政策。"))
    sharing_method = forms.ChoiceField(label=_("共享方式"), choices=SharingMethod.choices)
    open_attribute = forms.ChoiceField(label=_("开放属性"), choices=OpenAttribute.choices,
                                       initial=OpenAttribute.CLOSED)
    published_on = forms.DateField(label=_("发布日期"), required=False)
    related_codes = forms.CharField(label=_("关联资源代码"), required=False,
                                    help_text=_("多个以逗号分隔。"))
    tags = forms.CharField(label=_("标签"), required=False, help_text=_("多个以逗号分隔。"))
    groups = forms.MultipleChoiceField(label=_("基础库"), choices=BaseLibrary.choices,
                                       required=False, widget=forms.CheckboxSelectMultiple)
    fields_text = forms.CharField(label=_("数据项"), widget=forms.Textarea(attrs={"rows": 6}),
                                  help_text=FIELDS_HELP)

    def action_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["fields"] = parse_field_lines(data.pop("fields_text"))
        return data


class RequestForm(forms.Form):
    purpose = forms.CharField(label=_("用途"), widget=forms.Textarea(attrs={"rows": 3}))
    fields = forms.MultipleChoiceField(label=_("申请字段"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, resource, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].choices = [
            (f.name, f"{f.label}({f.name})" + (_("·敏感") if f.sensitive else ""))
            for f in resource.fields.all()
        ]


class ApproveForm(forms.Form):
    """Approve with a field subset and per-field masking (``mask_<field>`` checkboxes)."""

    fields = forms.MultipleChoiceField(label=_("授权字段"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, share_request, **kwargs):
        super().__init__(*args, **kwargs)
        by_name = {f.name: f for f in share_request.resource.fields.all()}
        self.fields["fields"].choices = [
            (n, by_name[n].label if n in by_name else n) for n in share_request.fields]
        self.fields["fields"].initial = list(share_request.fields)
        for name in share_request.fields:
            field = by_name.get(name)
            self.fields[f"mask_{name}"] = forms.BooleanField(
                label=_("%(label)s 脱敏") % {"label": field.label if field else name},
                required=False, initial=bool(field and field.sensitive))

    def masking(self) -> dict:
        return {
            name: Masking.MASKED if self.cleaned_data.get(f"mask_{name}") else Masking.PLAIN
            for name in self.cleaned_data["fields"]
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}),
                             required=False)


class ResolveForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("协调结论"), coerce=lambda v: v == "1",
        choices=(("1", _("应予共享")), ("0", _("维持拒绝"))))
    resolution = forms.CharField(label=_("协调意见"), widget=forms.Textarea(attrs={"rows": 2}),
                                 required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV 文件(UTF-8)"))
    replace = forms.BooleanField(label=_("替换现有数据"), required=False)
