"""Page forms of the basic data (they check input shape; the actions decide the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import HouseUse, RegistrationType, Relation, RentalStatus
from .models import Tag


class PersonFields(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off",
                                                              "inputmode": "text"}))
    birth_date = forms.DateField(label=_("出生日期(无身份证号时)"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(label=_("手机号"), max_length=11, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "off"}))
    registration_type = forms.ChoiceField(label=_("户籍类型"), choices=RegistrationType.choices)
    tags = forms.ModelMultipleChoiceField(label=_("关爱人群"), required=False,
                                          queryset=Tag.objects.filter(kind="care"),
                                          widget=forms.CheckboxSelectMultiple,
                                          to_field_name="name")


class MemberForm(PersonFields):
    relation_to_head = forms.ChoiceField(
        label=_("与户主关系"), choices=[c for c in Relation.choices if c[0] != "head"])

    def has_changed(self):
        # A member row without a name is an unused row (its selects always carry a value).
        return bool((self.data.get(self.add_prefix("name")) or "").strip())


MemberFormSet = forms.formset_factory(MemberForm, extra=3, max_num=12)


class HouseFields(forms.Form):
    grid = forms.ChoiceField(label=_("网格"))
    address = forms.CharField(label=_("标准地址"), max_length=200)
    unit = forms.CharField(label=_("单元"), max_length=20, required=False)
    room = forms.CharField(label=_("房号"), max_length=20, required=False)
    use = forms.ChoiceField(label=_("用途"), choices=HouseUse.choices)
    rental_status = forms.ChoiceField(label=_("出租状态"), choices=RentalStatus.choices)
    owner_name = forms.CharField(label=_("产权人"), max_length=60, required=False)

    def __init__(self, *args, grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [(g.code, f"{g.name} ({g.code})") for g in grids]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类型"), choices=[
        ("people", _("实有人口")), ("houses", _("房屋")), ("organisations", _("单位"))])
    file = forms.FileField(label=_("文件(CSV 或 XLSX)"))


class RevealForm(forms.Form):
    field = forms.ChoiceField(label=_("查看"), choices=[("id_number", _("身份证号")),
                                                        ("phone", _("手机号"))])
    reason = forms.CharField(label=_("理由"), max_length=500)
