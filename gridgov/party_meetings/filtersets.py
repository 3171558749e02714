"""The meetings' filters, shared by the API and the list page (they only narrow a queryset
that already went through ``restrict``)."""

import django_filters
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .choices import MeetingKind, MeetingState
from .models import Meeting

code_prefix = RegexValidator(r"^\d{6}(\d{3}){0,3}$", _("请填写 6、9、12 或 15 位区域编码。"))


class MeetingFilterSet(django_filters.FilterSet):
    organisation = django_filters.NumberFilter(label=_("党组织"), field_name="organisation_id",
                                               min_value=1, max_value=2**63 - 1)
    kind = django_filters.ChoiceFilter(label=_("会议类型"), choices=MeetingKind.choices)
    state = django_filters.ChoiceFilter(label=_("状态"), choices=MeetingState.choices)
    area = django_filters.CharFilter(label=_("区域编码"), method="filter_area",
                                     validators=[code_prefix])
    year = django_filters.NumberFilter(label=_("年份"), field_name="planned_at__year",
                                       min_value=2000, max_value=2100)
    q = django_filters.CharFilter(label=_("会议主题"), field_name="title",
                                  lookup_expr="contains", max_length=60)

    class Meta:
        model = Meeting
        fields = ["organisation", "kind", "state", "area", "year", "q"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(area_code__startswith=value)
