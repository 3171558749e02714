"""The filters of the desktop patrol list."""

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class PatrolFilterForm(forms.Form):
    """Worker, area, month (default this month) and an optional day inside it."""

    worker = forms.TypedChoiceField(label=_("网格员"), required=False, coerce=int,
                                    empty_value=None)
    area = forms.CharField(label=_("网格/区域编码"), required=False, max_length=15,
                           help_text=_("街道 9 位、社区 12 位或网格 15 位编码"))
    month = forms.CharField(label=_("月份"), required=False,
                            widget=forms.TextInput(attrs={"type": "month"}))
    day = forms.DateField(label=_("日期"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", _("全部"))] + list(workers)

    def clean_area(self):
        value = (self.cleaned_data.get("area") or "").strip()
        if value and (not value.isdigit() or len(value) not in (6, 9, 12, 15)):
            raise forms.ValidationError(_("编码须为 6、9、12 或 15 位数字。"))
        return value

    def clean_month(self):
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return timezone.localdate().replace(day=1)
        if not MONTH.match(value):
            raise forms.ValidationError(_("月份格式为 2026-12。"))
        return dt.date(int(value[:4]), int(value[5:7]), 1)

    def clean(self):
        data = super().clean()
        day, month = data.get("day"), data.get("month")
        if day and month and (day.year, day.month) != (month.year, month.month):
            self.add_error("day", _("日期须在所选月份内。"))
        return data
