"""Filters of the rule lists, shared by the API and the pages."""

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import Period
from .models import Firing, Rule


def area_code(value):
    if value and (not value.isdigit() or len(value) not in (6, 9, 12, 15)):
        raise ValidationError(_("请填写 6、9、12 或 15 位区域编码。"))


def period_value(value):
    if value and (len(value) > 12 or not all(c.isdigit() or c in "-W" for c in value)
                  and value != "once"):
        raise ValidationError(_("周期如 2026、2026-12、2026-W49、2026-12-02 或 once。"))


class FiringFilterSet(django_filters.FilterSet):
    """rule, period (its key, or a prefix: "2026" finds every period of 2026), area (a
    street, community or grid code), subject type."""

    rule = django_filters.NumberFilter(label=_("规则"), field_name="rule_id")
    period = django_filters.CharFilter(label=_("周期"), method="filter_period",
                                       validators=[period_value])
    area = django_filters.CharFilter(label=_("区域编码"), method="filter_area",
                                     validators=[area_code])
    subject_type = django_filters.CharFilter(label=_("对象类型"), max_length=20)

    class Meta:
        model = Firing
        fields = ["rule", "period", "area", "subject_type"]

    def filter_period(self, queryset, name, value):
        return queryset.filter(period_key__startswith=value) if value else queryset

    def filter_area(self, queryset, name, value):
        return queryset.filter(area_code__startswith=value) if value else queryset


class RuleFilterSet(django_filters.FilterSet):
    """subject, active, period."""

    subject = django_filters.CharFilter(label=_("对象"), max_length=20)
    is_active = django_filters.BooleanFilter(label=_("启用"))
    period = django_filters.ChoiceFilter(label=_("触发周期"), choices=Period.choices)

    class Meta:
        model = Rule
        fields = ["subject", "is_active", "period"]
