"""FilterSets of the data resource centre, shared by the pages (and usable by any API)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import BaseLibrary, ExchangeChannel, RequestStatus, SharingType
from .models import ExchangeLog, Resource, ShareRequest


def _json_member(queryset, field, value):
    """Rows whose JSON list ``field`` holds ``value``: matched in Python over the (small)
    catalog, because JSON containment is not portable between SQLite and PostgreSQL."""
    keep = [pk for pk, values in queryset.values_list("pk", field) if value in (values or [])]
    return queryset.filter(pk__in=keep)


class ResourceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    provider = django_filters.CharFilter(label=_("提供部门编码"), field_name="provider__code")
    sharing_type = django_filters.ChoiceFilter(label=_("共享类型"), choices=SharingType.choices)
    group = django_filters.ChoiceFilter(label=_("基础库"), choices=BaseLibrary.choices,
                                        method="filter_group")
    tag = django_filters.CharFilter(label=_("标签"), method="filter_tag")
    category = django_filters.CharFilter(label=_("类"), field_name="category")

    class Meta:
        model = Resource
        fields = []

    def filter_q(self, queryset, name, value):
        for term in value.split():
            queryset = queryset.filter(
                Q(name__icontains=term) | Q(abstract__icontains=term) | Q(code__icontains=term)
                | Q(provider__name__icontains=term)
            )
        return queryset

    def filter_group(self, queryset, name, value):
        return _json_member(queryset, "groups", value)

    def filter_tag(self, queryset, name, value):
        return _json_member(queryset, "tags", value.strip())


ROLE_CHOICES = (
    ("consumer", _("本部门申请的")),
    ("provider", _("申请本部门资源的")),
    ("coordinator", _("提交本部门协调的")),
)


class ShareRequestFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=RequestStatus.choices)
    role = django_filters.ChoiceFilter(label=_("类别"), choices=ROLE_CHOICES,
                                       method="filter_role")
    overdue = django_filters.BooleanFilter(label=_("已超期"), method="filter_overdue")
    resource = django_filters.CharFilter(label=_("资源代码"), field_name="resource__code")

    class Meta:
        model = ShareRequest
        fields = []

    def filter_role(self, queryset, name, value):
        department_id = getattr(self.request, "department_id", None) if self.request else None
        if department_id is None and self.request is not None:
            department_id = getattr(self.request.user, "department_id", None)
        field = {"consumer": "consumer_id", "provider": "resource__provider_id",
                 "coordinator": "coordinator_id"}[value]
        return queryset.filter(**{field: department_id})

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        overdue = Q(status=RequestStatus.PENDING, answer_deadline__lt=now)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class ExchangeLogFilterSet(django_filters.FilterSet):
    resource = django_filters.CharFilter(label=_("资源代码"), field_name="resource__code")
    consumer = django_filters.CharFilter(label=_("使用部门编码"), field_name="consumer__code")
    channel = django_filters.ChoiceFilter(label=_("渠道"), choices=ExchangeChannel.choices)
    case_id = django_filters.CharFilter(label=_("案件编号"), field_name="case_id")
    since = django_filters.DateFilter(label=_("起始日期"), field_name="at", lookup_expr="date__gte")

    class Meta:
        model = ExchangeLog
        fields = []
