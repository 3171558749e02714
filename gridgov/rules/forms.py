"""Forms of the rule pages: the rule, its conditions (a formset: fact, operator, value), the
outcome's own parameter form and the firing list's filters. The forms check shapes; the
action (``actions.save_rule``) checks the conditions against the registry."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import registry
from .choices import Match, Period
from .conditions import OPERATOR_LABELS, OPERATORS


def subject_choices():
    return [(code, spec.label) for code, spec in registry.subjects().items()]


def fact_choices(subject=None):
    return [("", "—")] + [(code, spec.label) for code, spec in registry.facts(subject).items()]


def outcome_choices(subject=None):
    return [(code, spec.label) for code, spec in registry.outcomes(subject).items()]


def all_operators():
    seen = []
    for ops in OPERATORS.values():
        seen.extend(op for op in ops if op not in seen)
    return [(op, OPERATOR_LABELS[op]) for op in seen]


class RuleForm(forms.Form):
    """The rule itself (conditions and the outcome's parameters are forms of their own)."""

    name = forms.CharField(label=_("规则名称"), max_length=100)
    description = forms.CharField(label=_("说明"), required=False, max_length=500,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    subject = forms.ChoiceField(label=_("对象"))
    match = forms.ChoiceField(label=_("条件组合"), choices=Match.choices, initial=Match.ALL)
    outcome = forms.ChoiceField(label=_("触发后"))
    period = forms.ChoiceField(label=_("触发周期"), choices=Period.choices,
                               initial=Period.ONCE,
                               help_text=_("同一对象在一个周期内只触发一次。"))
    area_code = forms.CharField(label=_("适用区域编码"), required=False, max_length=15,
                                help_text=_("留空表示全区;填写街道、社区或网格编码则只在该区域内适用。"))
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = subject_choices()
        subject = self.data.get("subject") if self.is_bound else self.initial.get("subject")
        subject = subject if subject in registry.subjects() else next(
            iter(registry.subjects()), None)
        self.fields["outcome"].choices = outcome_choices(subject) or [("", "—")]


class ConditionForm(forms.Form):
    """One condition: fact, operator, value (a list: comma separated)."""

    fact = forms.ChoiceField(label=_("数据项"), required=False)
    op = forms.ChoiceField(label=_("运算"), required=False)
    value = forms.CharField(label=_("值"), required=False, max_length=1000)

    def __init__(self, *args, subject=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fact"].choices = fact_choices(subject)
        self.fields["op"].choices = all_operators()
        self.fields["fact"].widget.attrs["data-rule-fact"] = ""
        self.fields["op"].widget.attrs["data-rule-op"] = ""

    def condition(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("fact"):
            return None
        return {"fact": data["fact"], "op": data.get("op") or "", "value": data.get("value")}


ConditionFormSet = forms.formset_factory(ConditionForm, extra=2, max_num=20, can_delete=True)


def params_form_class(outcome_code):
    spec = registry.outcomes().get(outcome_code)
    return spec.params_form if spec is not None else None


class FiringFilterForm(forms.Form):
    """Filters of the firing list (``rule``, ``period`` key or prefix, ``area`` code)."""

    rule = forms.TypedChoiceField(label=_("规则"), required=False, coerce=int,
                                  empty_value=None)
    period = forms.CharField(label=_("周期"), required=False, max_length=12,
                             help_text=_("如 2026、2026-12、2026-W49"))
    area = forms.ChoiceField(label=_("区域"), required=False)

    def __init__(self, *args, rules=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("全部"))] + [(r.pk, r.name) for r in rules]
        self.fields["area"].choices = [("", _("全部"))] + [
            (a.code, ("　" if a.level == "grid" else "") + a.name) for a in areas]
