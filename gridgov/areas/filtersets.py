"""The one set of area filters, shared by the API (list and GeoJSON) and the area list page.

Every filter narrows a queryset that has already been through ``restrict()``, so a filter can
never widen what a principal sees: ``within=330203`` for a grid worker still yields only their
grid and its ancestors.
"""

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Kind, Level
from .models import Area

code_prefix = RegexValidator(r"^[0-9]{1,15}$", _("编码只能由 1 至 15 位数字组成。"))


class AreaFilterSet(django_filters.FilterSet):
    """Filters for areas: level, kind, parent, code prefix, name search, generated, validity."""

    level = django_filters.ChoiceFilter(
        label=_("层级"), choices=Level.choices, empty_label=_("全部")
    )
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=Kind.choices, empty_label=_("全部"))
    parent = django_filters.CharFilter(
        label=_("上级编码"), field_name="parent__code", validators=[code_prefix],
        help_text=_("直接上级的编码,只列出其下一级。"),
    )
    within = django_filters.CharFilter(
        label=_("所属区域编码"), method="filter_within", validators=[code_prefix],
        help_text=_("编码前缀:该区域本身及其下属全部区域。"),
    )
    q = django_filters.CharFilter(
        label=_("搜索"), method="filter_q", help_text=_("按名称(包含)或编码(前缀)搜索。"),
    )
    generated = django_filters.BooleanFilter(
        label=_("生成数据"), help_text=_("true 只列生成的演示区划,false 只列真实区划。"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )
    valid_on = django_filters.DateFilter(
        label=_("有效日期"), method="filter_valid_on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("只列在该日期有效的区域(YYYY-MM-DD)。"),
    )

    class Meta:
        model = Area
        fields = ["level", "kind", "parent", "within", "q", "generated", "valid_on"]

    def filter_within(self, queryset, name, value):
        # Codes are hierarchical, so "inside" is one prefix test on an indexed column.
        return queryset.filter(code__startswith=value)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(name__icontains=value)
        if value.isdigit():
            condition |= Q(code__startswith=value)
        return queryset.filter(condition)

    def filter_valid_on(self, queryset, name, value):
        return queryset.current(on=value)
