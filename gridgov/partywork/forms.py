"""Forms of the partywork pages (they check types; the actions decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.visits.choices import Need

from .choices import ContactWay

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
TABS = [("links", _("联系户")), ("uncovered", _("未联系的户")), ("due", _("90 天未联系"))]


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class WorkFilterForm(forms.Form):
    """Filters of the 党员联系户 page: which list, which community or grid, a name."""

    tab = forms.ChoiceField(label=_("列表"), choices=TABS, required=False)
    area = forms.ChoiceField(label=_("社区/网格"), required=False)
    q = forms.CharField(label=_("姓名"), required=False, max_length=60)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("全部"))] + [
            (a.code, ("　" if a.level == "grid" else "") + a.name) for a in areas]


class LinkForm(forms.Form):
    """Link one household to a member (the members who may: those of its areas)."""

    member = forms.TypedChoiceField(label=_("联系党员"), coerce=int)
    since = forms.DateField(label=_("联系起始日期"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.label) for m in members]


class UnlinkForm(forms.Form):
    until = forms.DateField(label=_("终止日期"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("解除原因"), required=False, max_length=200)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ContactForm(forms.Form):
    """One contact with a linked household."""

    contacted_at = forms.DateTimeField(label=_("联系时间"), required=False,
                                       input_formats=DATETIME_FORMATS,
                                       widget=_datetime_widget(),
                                       help_text=_("留空为现在;最早 7 天前。"))
    way = forms.ChoiceField(label=_("联系方式"), choices=ContactWay.choices,
                            initial=ContactWay.VISIT)
    notes = forms.CharField(label=_("联系情况"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    needs = forms.MultipleChoiceField(label=_("需求"), choices=Need.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    needs_note = forms.CharField(label=_("其他需求"), required=False, max_length=500)


class ActivityForm(forms.Form):
    """A volunteer activity of one of the organisations of the secretary's areas."""

    organisation = forms.TypedChoiceField(label=_("组织单位"), coerce=int)
    title = forms.CharField(label=_("活动名称"), max_length=100)
    place = forms.CharField(label=_("活动地点"), max_length=200)
    starts_at = forms.DateTimeField(label=_("开始时间"), input_formats=DATETIME_FORMATS,
                                    widget=_datetime_widget())
    ends_at = forms.DateTimeField(label=_("结束时间"), input_formats=DATETIME_FORMATS,
                                  widget=_datetime_widget())
    capacity = forms.IntegerField(label=_("名额"), required=False, min_value=1,
                                  max_value=10000, help_text=_("留空为不限名额。"))
    description = forms.CharField(label=_("活动内容"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]


class SignUpMemberForm(forms.Form):
    member = forms.TypedChoiceField(label=_("代党员报名"), coerce=int)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.label) for m in members]


class CreditForm(forms.Form):
    hours = forms.DecimalField(label=_("服务时长(小时)"), min_value=0, max_value=24,
                               decimal_places=1, max_digits=4)
