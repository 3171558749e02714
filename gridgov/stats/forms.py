"""The statistics' selector: period, anchor date or custom range, and area (within scope)."""

import datetime as dt

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .periods import CUSTOM, KINDS, MAX_CUSTOM_DAYS, MONTH, Period

code_prefix = RegexValidator(r"^(\d{6}|\d{9}|\d{12}|\d{15})$",
                             _("区域编码应为 6、9、12 或 15 位数字。"))


class StatsForm(forms.Form):
    """Which period (a day, week, month, quarter, year containing ``date``, or ``start`` to
    ``end``) and which area; the area must lie in the person's scope (checked by the view)."""

    period = forms.ChoiceField(label=_("统计周期"), choices=KINDS, required=False)
    date = forms.DateField(label=_("日期"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.DateField(label=_("开始日期"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    area = forms.CharField(label=_("区域"), required=False, validators=[code_prefix],
                           widget=forms.Select)

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].widget.choices = list(area_choices)

    def clean(self):
        data = super().clean()
        kind = data.get("period") or MONTH
        data["period"] = kind
        if kind == CUSTOM:
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", _("自定义周期须填写开始日期。"))
            if not end:
                self.add_error("end", _("自定义周期须填写结束日期。"))
            if start and end and end < start:
                self.add_error("end", _("结束日期不能早于开始日期。"))
            if start and end and (end - start).days >= MAX_CUSTOM_DAYS:
                self.add_error("end", _("自定义周期最长三年。"))
        return data

    def period_value(self) -> Period:
        data = self.cleaned_data
        if data["period"] == CUSTOM:
            return Period(CUSTOM, data["start"], data["end"])
        day = data.get("date") or timezone.localdate()
        return Period.containing(data["period"], day)


def default_period(today: dt.date | None = None) -> Period:
    return Period.containing(MONTH, today or timezone.localdate())
