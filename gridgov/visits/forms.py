"""Forms of the desktop pages: the overdue list's filters and the plan editor."""

from django import forms
from django.utils.translation import gettext_lazy as _

STATES = [("overdue", _("已逾期")), ("week", _("7 天内到期")), ("open", _("全部在册"))]


class OverdueFilterForm(forms.Form):
    """Filters of the overdue list (``area``: a community or grid code of the person's
    areas; ``tag``: a care group)."""

    state = forms.ChoiceField(label=_("范围"), choices=STATES, required=False)
    area = forms.ChoiceField(label=_("社区/网格"), required=False)
    tag = forms.TypedChoiceField(label=_("关爱人群"), required=False, coerce=int,
                                 empty_value=None)
    q = forms.CharField(label=_("姓名"), required=False, max_length=60)

    def __init__(self, *args, areas=(), tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("全部"))] + [
            (a.code, ("　" if a.level == "grid" else "") + a.name) for a in areas]
        self.fields["tag"].choices = [("", _("全部"))] + [(t.pk, t.name) for t in tags]


class PlanForm(forms.Form):
    """One visit plan: the care group, where it applies, every N days."""

    tag = forms.TypedChoiceField(label=_("关爱人群"), coerce=int)
    area_code = forms.CharField(label=_("适用区域编码"), required=False, max_length=15,
                                help_text=_("留空表示全区;填写街道、社区或网格编码则只在该区域内适用,"
                                            "并优先于全区计划。"))
    interval_days = forms.IntegerField(label=_("走访周期(天)"), min_value=1, max_value=366)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [(t.pk, t.name) for t in tags]
