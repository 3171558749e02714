"""Forms of the 三会一课 pages: plan a meeting, record it, and the requirement editor. The
forms check the input's shape; the actions decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.events.forms import MultipleFileField, MultipleFileInput
from gridgov.party.choices import OrgKind

from .choices import MeetingKind

DATETIME = {"input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
            "widget": forms.DateTimeInput(attrs={"type": "datetime-local"},
                                          format="%Y-%m-%dT%H:%M")}


class PlanForm(forms.Form):
    """A new meeting: which organisation, kind, topic, when and where, notice and agenda."""

    organisation = forms.TypedChoiceField(label=_("党组织"), coerce=int)
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议主题"), max_length=120)
    planned_at = forms.DateTimeField(label=_("召开时间"), **DATETIME)
    place = forms.CharField(label=_("地点"), required=False, max_length=120)
    notice = forms.CharField(label=_("会议通知"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("保存后通知发送给本组织有账号的在册党员。"))
    agenda = forms.CharField(label=_("议程"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]


class RecordForm(forms.Form):
    """A held meeting: when, the minutes and the photos (the sign-in sheet is read from the
    ``present`` checkboxes and ``leave_<member>`` reasons by the view)."""

    held_at = forms.DateTimeField(label=_("实际召开时间"), **DATETIME)
    minutes = forms.CharField(label=_("会议记录"), max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 8}))
    photos = MultipleFileField(label=_("会议照片"), required=False,
                               widget=MultipleFileInput(attrs={"accept": "image/*"}))


class FilterForm(forms.Form):
    """Filters of the list page (the same names as the API's)."""

    organisation = forms.TypedChoiceField(label=_("党组织"), required=False, coerce=int,
                                          empty_value=None)
    kind = forms.ChoiceField(label=_("会议类型"), required=False,
                             choices=[("", _("全部"))] + MeetingKind.choices)
    state = forms.ChoiceField(label=_("状态"), required=False)
    year = forms.IntegerField(label=_("年份"), required=False, min_value=2000, max_value=2100)
    q = forms.CharField(label=_("会议主题"), required=False, max_length=60)

    def __init__(self, *args, organisations=(), states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("全部"))] + [
            (o.pk, o.name) for o in organisations]
        self.fields["state"].choices = [("", _("全部"))] + list(states)


class OverdueFilterForm(forms.Form):
    area = forms.ChoiceField(label=_("社区/网格"), required=False)
    kind = forms.ChoiceField(label=_("会议类型"), required=False,
                             choices=[("", _("全部"))] + MeetingKind.choices)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("全部"))] + [
            (a.code, ("　" if a.level == "grid" else "") + a.name) for a in areas]


class RequirementForm(forms.Form):
    """One required frequency: the default of an org kind, or one organisation's own."""

    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    org_kind = forms.ChoiceField(label=_("党组织类型"), choices=OrgKind.choices, required=False)
    organisation = forms.TypedChoiceField(
        label=_("适用党组织"), required=False, coerce=int, empty_value=None,
        help_text=_("留空为该类型党组织的默认要求;选择某一党组织则只对它适用,并优先于默认要求。"))
    every_months = forms.IntegerField(label=_("每几个月一次"), min_value=1, max_value=24)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("(默认要求)"))] + [
            (o.pk, o.name) for o in organisations]
