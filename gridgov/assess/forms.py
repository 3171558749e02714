"""Forms of the assessment: the selector (period, subject kind, scheme, live or frozen), the
appeal, the decision and the scheme editor."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.stats.forms import StatsForm

from . import indicators as ind
from .choices import Direction, SubjectKind

MODES = (("frozen", _("月度快照")), ("live", _("实时计算")))


class SelectorForm(StatsForm):
    """The stats period selector plus the subject kind, the scheme and the source."""

    kind = forms.ChoiceField(label=_("考核对象"), choices=SubjectKind.choices, required=False)
    scheme = forms.IntegerField(label=_("考核方案"), required=False, widget=forms.Select)
    mode = forms.ChoiceField(label=_("数据"), choices=MODES, required=False)
    version = forms.IntegerField(label=_("版本"), required=False, min_value=1)

    def __init__(self, *args, scheme_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["area"]
        self.fields["scheme"].widget.choices = list(scheme_choices)

    def clean(self):
        data = super().clean()
        data["kind"] = data.get("kind") or SubjectKind.STREET
        data["mode"] = data.get("mode") or "frozen"
        return data


class AppealForm(forms.Form):
    indicator = forms.ChoiceField(label=_("申诉指标"),
                                  choices=[(c, ind.CATALOG[c].label) for c in ind.WAIVABLE])
    reason = forms.CharField(label=_("申诉理由"), max_length=2000, widget=forms.Textarea(
        attrs={"rows": 4}))
    attachment = forms.FileField(label=_("附件(可选)"), required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核结果"),
                                 choices=(("accept", _("同意核减")), ("reject", _("驳回"))))
    decision_reason = forms.CharField(label=_("审核意见"), max_length=2000)


class SchemeForm(forms.Form):
    name = forms.CharField(label=_("方案名称"), max_length=60)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}))
    kinds = forms.MultipleChoiceField(label=_("适用对象"), choices=SubjectKind.choices,
                                      widget=forms.CheckboxSelectMultiple)
    is_default = forms.BooleanField(label=_("设为默认方案"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in ind.RATE_CODES:
            self.fields[f"w_{code}"] = forms.DecimalField(
                label=ind.CATALOG[code].label, required=False, min_value=0, max_value=1000,
                decimal_places=2)
            self.fields[f"d_{code}"] = forms.ChoiceField(
                label=_("方向"), choices=Direction.choices, required=False)

    def rows(self):
        return [(ind.CATALOG[c], self[f"w_{c}"], self[f"d_{c}"]) for c in ind.RATE_CODES]

    def items(self) -> list[dict]:
        data = self.cleaned_data
        return [{"indicator": c, "weight": data[f"w_{c}"],
                 "direction": data.get(f"d_{c}") or Direction.RATE}
                for c in ind.RATE_CODES if data.get(f"w_{c}")]
