"""The filters of the needs API (counts by area, months, group and category)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from gridgov.stats.forms import code_prefix

from .models import NeedCount


class NeedCountFilterSet(django_filters.FilterSet):
    area = django_filters.CharFilter(label=_("区域编码(含下级)"), method="filter_area",
                                     validators=[code_prefix])
    month_from = django_filters.DateFilter(label=_("起始月份(月初日期)"), field_name="month",
                                           lookup_expr="gte")
    month_to = django_filters.DateFilter(label=_("截止月份(月初日期)"), field_name="month",
                                         lookup_expr="lte")
    group = django_filters.CharFilter(label=_("人群(空:合计行)"), method="filter_group")
    category = django_filters.CharFilter(label=_("需求分类编码"), field_name="category__code")

    class Meta:
        model = NeedCount
        fields = []

    def filter_area(self, queryset, name, value):
        return queryset.filter(area_code__startswith=value)

    def filter_group(self, queryset, name, value):
        return queryset.filter(group="" if value in ("*", "all") else value)
