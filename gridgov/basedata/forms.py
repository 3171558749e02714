"""Page forms of the basic data (they check input shape; the actions decide the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import HouseUse, OrgType, RegistrationType, Relation, RentalStatus
from .models import Tag


class PersonFields(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off",
                                                              "inputmode": "text",
                                                              "data-validate": "id_number"}))
    birth_date = forms.DateField(label=_("出生日期(无身份证号时)"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(label=_("手机号"), max_length=11, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "off",
                                                          "data-validate": "mobile"}))
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


# --- a record's life (desktop pages; the actions decide the rules) ---------------------------


class VersionedForm(forms.Form):
    """Carries the version the page was drawn from (``expected_version``): a save over a
    newer version answers "已被他人修改" with the current values."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _date_input():
    # ISO in the value: a date input ignores a value in the page's locale format.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonEditForm(VersionedForm):
    name = forms.CharField(label=_("姓名"), max_length=60)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=30, required=False,
        help_text=_("留空则不修改;填写新号码将替换原号码。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-validate": "id_number"}))
    registration_type = forms.ChoiceField(label=_("户籍类型"), choices=RegistrationType.choices)
    address = forms.CharField(label=_("居住地址"), max_length=200, required=False)


class PhoneForm(VersionedForm):
    phone = forms.CharField(
        label=_("新手机号"), max_length=20, required=False, help_text=_("留空则清除手机号。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off",
                                      "data-validate": "mobile"}))


class MoveInForm(VersionedForm):
    house = forms.ModelChoiceField(label=_("迁入房屋"), queryset=None)
    household_head = forms.ModelChoiceField(
        label=_("加入户(户主)"), queryset=None, required=False,
        help_text=_("不选则保持原家庭关系;原本无户时本人成为户主。"))
    relation_to_head = forms.ChoiceField(
        label=_("与户主关系"), required=False,
        choices=[("", "—")] + [c for c in Relation.choices if c[0] != "head"])
    on = forms.DateField(label=_("迁入日期"), widget=_date_input())

    def __init__(self, *args, houses=None, heads=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["house"].queryset = houses
        self.fields["household_head"].queryset = heads


class MoveOutForm(VersionedForm):
    on = forms.DateField(label=_("迁出日期"), widget=_date_input())
    destination = forms.CharField(label=_("迁往地"), max_length=200)
    reason = forms.CharField(label=_("迁出原因"), max_length=200, required=False)
    new_head = forms.ModelChoiceField(
        label=_("新户主"), queryset=None, required=False,
        help_text=_("本人为户主时,可将户移交给一名在住成员;不选则成员暂无户主。"))

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_head"].queryset = members
        if not members.exists():
            del self.fields["new_head"]


class DeathForm(MoveOutForm):
    on = forms.DateField(label=_("死亡日期"), widget=_date_input())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    destination = None
    reason = None

    field_order = ["on", "note", "new_head", "expected_version"]


class HouseholdForm(VersionedForm):
    household_head = forms.ModelChoiceField(
        label=_("户主"), queryset=None, required=False, empty_label=_("本人为户主(新立户)"))
    relation_to_head = forms.ChoiceField(
        label=_("与户主关系"), required=False,
        choices=[("", "—")] + [c for c in Relation.choices if c[0] != "head"])

    def __init__(self, *args, heads=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household_head"].queryset = heads


class HouseEditForm(VersionedForm):
    use = forms.ChoiceField(label=_("用途"), choices=HouseUse.choices)
    rental_status = forms.ChoiceField(label=_("出租状态"), choices=RentalStatus.choices)
    owner_name = forms.CharField(label=_("产权人"), max_length=60, required=False)
    area_m2 = forms.FloatField(label=_("面积(平方米)"), required=False, min_value=0.01)


class OrganisationEditForm(VersionedForm):
    name = forms.CharField(label=_("名称"), max_length=120)
    uscc = forms.CharField(
        label=_("统一社会信用代码"), max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-validate": "uscc"}))
    org_type = forms.ChoiceField(label=_("类型"), choices=OrgType.choices)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=60,
                                           required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
