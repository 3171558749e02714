"""Department filters for the API (and any list page that wants them)."""

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import DepartmentKind
from .models import Department

code_prefix = RegexValidator(r"^[0-9]{1,15}$", _("编码只能由 1 至 15 位数字组成。"))


class DepartmentFilterSet(django_filters.FilterSet):
    """Filter departments by kind, by area (exactly, or anywhere within) and by name."""

    kind = django_filters.ChoiceFilter(label=_("类型"), choices=DepartmentKind.choices)
    area = django_filters.CharFilter(
        label=_("所属区域编码"), field_name="area__code", validators=[code_prefix],
        help_text=_("部门所属区域的编码,如 330203(区级部门)、330203005(鼓楼街道)。"),
    )
    within = django_filters.CharFilter(
        label=_("区域编码前缀"), field_name="area__code", lookup_expr="startswith",
        validators=[code_prefix], help_text=_("所属区域在该区域之内(含本身)的部门。"),
    )
    q = django_filters.CharFilter(
        label=_("搜索"), method="filter_q", help_text=_("按名称、简称(包含)或编码搜索。"),
    )
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = Department
        fields = ["kind", "area", "within", "q", "is_active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(short_name__icontains=value)
            | Q(code__iexact=value)
        )
