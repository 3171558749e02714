"""The selector of the needs pages: area (within scope, checked by the view) and months."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.stats.forms import code_prefix

DEFAULT_MONTHS = 6
MAX_MONTHS = 36


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    out, month = [], start
    while month <= end:
        out.append(month)
        month = add_months(month, 1)
    return out


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (``<input type="month">``), read as its first day."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def to_python(self, value):
        day = super().to_python(value)
        return first_of_month(day) if day else day


class NeedsForm(forms.Form):
    """Which area (a code in the person's scope) and which months (at most three years)."""

    area = forms.CharField(label=_("区域"), required=False, validators=[code_prefix],
                           widget=forms.Select)
    start = MonthField(label=_("起始月份"), required=False)
    end = MonthField(label=_("截止月份"), required=False)

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].widget.choices = list(area_choices)

    def clean(self):
        data = super().clean()
        end = data.get("end") or first_of_month(timezone.localdate())
        start = data.get("start") or add_months(end, 1 - DEFAULT_MONTHS)
        if "end" in self.errors or "start" in self.errors:
            return data
        if start > end:
            self.add_error("start", _("起始月份不能晚于截止月份。"))
        elif len(months_between(start, end)) > MAX_MONTHS:
            self.add_error("start", _("最多统计 %(n)d 个月。") % {"n": MAX_MONTHS})
        data["start"], data["end"] = start, end
        return data


def split_words(text: str) -> list[str]:
    """Words typed one a line or separated by commas / 、 / spaces."""
    import re

    return [w for w in re.split(r"[\s,,、;;]+", text or "") if w]


class CategoryForm(forms.Form):
    """One need category (the action validates the words and the groups)."""

    code = forms.SlugField(label=_("编码"), max_length=30, required=False,
                           help_text=_("英文字母、数字、下划线;新建时填写,之后不可改"))
    name = forms.CharField(label=_("名称"), max_length=20)
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    keywords = forms.CharField(
        label=_("关键词"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("以逗号、顿号或换行分隔;文字中出现即计入(紧跟在“无、暂无、未发现”等否定词后的不计)"))
    visit_needs = forms.MultipleChoiceField(label=_("对应走访需求"), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    care_groups = forms.MultipleChoiceField(label=_("主要涉及人群"), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    order = forms.IntegerField(label=_("排序"), min_value=0, max_value=10000, initial=100)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, groups=(), **kwargs):
        from gridgov.visits.choices import Need

        super().__init__(*args, **kwargs)
        self.fields["visit_needs"].choices = Need.choices
        self.fields["care_groups"].choices = [(g, g) for g in groups]
