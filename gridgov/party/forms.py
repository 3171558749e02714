"""Forms of the party pages: filters, the organisation editor, terms, posts, members,
transfers and check-ins. Choices are given by the views (what the user's scope reaches)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import MemberKind, MemberStatus, OrgKind, PostKind, TransferKind

DATE = forms.DateInput(attrs={"type": "date"})


def org_choices(orgs, *, blank=None):
    out = [("", blank)] if blank is not None else []
    return out + [(o.pk, f"{o.name}({o.get_kind_display()})") for o in orgs]


class OrgForm(forms.Form):
    """One party organisation: name, kind, parent, area."""

    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=OrgKind.choices)
    parent = forms.TypedChoiceField(label=_("上级党组织"), required=False, coerce=int,
                                    empty_value=None)
    area = forms.TypedChoiceField(label=_("所在区域"), coerce=int)
    is_active = forms.BooleanField(label=_("有效"), required=False, initial=True)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, parents=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = org_choices(parents, blank=_("(无,作为顶层组织)"))
        self.fields["area"].choices = [
            (a.pk, "　" * {"street": 0, "community": 1, "grid": 2}.get(a.level, 0) + a.name)
            for a in areas]


class TermForm(forms.Form):
    """换届: the new term's start and end."""

    started_on = forms.DateField(label=_("本届开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("届满日期"), widget=DATE,
                              help_text=_("社区党组织每届任期一般为 5 年。"))
    note = forms.CharField(label=_("说明"), required=False, max_length=200)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PostForm(forms.Form):
    """A post in the organisation's committee."""

    member = forms.TypedChoiceField(label=_("党员"), coerce=int)
    post = forms.ChoiceField(label=_("职务"), choices=PostKind.choices)
    started_on = forms.DateField(label=_("任职日期"), widget=DATE)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [
            (m.pk, f"{m.person.name}({m.organisation.name})") for m in members]


class MemberAddForm(forms.Form):
    """Register a member: the person is found by ID number (or comes from the person page);
    nothing of the person is typed again."""

    id_number = forms.CharField(label=_("身份证号"), required=False, max_length=18,
                                help_text=_("按身份证号查找实有人口中的人员(仅限您负责的区域)。"))
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    organisation = forms.TypedChoiceField(label=_("所在党组织"), coerce=int)
    kind = forms.ChoiceField(label=_("党员类别"), choices=MemberKind.choices)
    joined_on = forms.DateField(label=_("入党日期"), required=False, widget=DATE)
    in_service = forms.BooleanField(label=_("在职党员"), required=False)
    work_unit = forms.CharField(label=_("工作单位"), required=False, max_length=100)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = org_choices(orgs)


class MemberEditForm(forms.Form):
    kind = forms.ChoiceField(label=_("党员类别"), choices=MemberKind.choices)
    joined_on = forms.DateField(label=_("入党日期"), required=False, widget=DATE)
    in_service = forms.BooleanField(label=_("在职党员"), required=False)
    work_unit = forms.CharField(label=_("工作单位"), required=False, max_length=100)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)


STATUS_CHOICES = [(MemberStatus.ACTIVE, MemberStatus.ACTIVE.label),
                  (MemberStatus.DECEASED, MemberStatus.DECEASED.label),
                  (MemberStatus.LEFT, MemberStatus.LEFT.label)]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES)
    on = forms.DateField(label=_("日期"), required=False, widget=DATE)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class TransferForm(forms.Form):
    """组织关系转接: to an organisation in the system, or out of it (destination text)."""

    kind = forms.ChoiceField(label=_("转接方式"), choices=TransferKind.choices,
                             widget=forms.RadioSelect, initial=TransferKind.INTERNAL)
    to_organisation = forms.TypedChoiceField(label=_("接收党组织"), required=False, coerce=int,
                                             empty_value=None)
    destination = forms.CharField(label=_("转往单位"), required=False, max_length=200,
                                  help_text=_("转出本系统时必填,如“某某市某某区某某单位党支部”。"))
    reason = forms.CharField(label=_("转接原因"), required=False, max_length=200)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].choices = org_choices(orgs, blank="—")


class CheckInForm(forms.Form):
    """双报到 from the member's page: the community organisation checked in to."""

    organisation = forms.TypedChoiceField(label=_("报到党组织"), coerce=int)
    on = forms.DateField(label=_("报到日期"), required=False, widget=DATE)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = org_choices(orgs)


class OrgCheckInForm(forms.Form):
    """双报到 from the community organisation's page: the member by ID number."""

    id_number = forms.CharField(label=_("在职党员身份证号"), max_length=18)
    on = forms.DateField(label=_("报到日期"), required=False, widget=DATE)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("意见"), required=False, max_length=200)
