"""The one set of audit filters, shared by the list page, its CSV export, the API and
``gridgov audit export``.

Filters narrow a queryset that has already been through ``restrict()``, so they never widen
what a principal sees. Dates are local days (settings.TIME_ZONE), both ends included.
"""

import datetime as dt

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from . import labels
from .anchor import day_bounds
from .models import AuditRecord


class AuditRecordFilterSet(django_filters.FilterSet):
    """Filters for audit records: actor, action, object, request id, client address, dates."""

    actor = django_filters.CharFilter(
        label=_("操作人"), field_name="actor_name", lookup_expr="icontains",
        help_text=_("操作人用户名(包含)。"),
    )
    # A prefix ("accounts." = all of an app's actions, or a full code) so the API and the CLI
    # can still ask for any code; the page offers the named actions as a grouped select.
    action = django_filters.CharFilter(
        label=_("操作"), field_name="action", lookup_expr="startswith",
    )
    object_type = django_filters.CharFilter(label=_("对象类型"), field_name="object_type")
    object_id = django_filters.CharFilter(label=_("对象编号"), field_name="object_id")
    request_id = django_filters.CharFilter(label=_("请求编号"), field_name="request_id")
    client_ip = django_filters.CharFilter(label=_("客户端地址"), field_name="client_ip")
    since = django_filters.DateFilter(
        label=_("起始日期"), method="filter_since", help_text=_("含当日(YYYY-MM-DD)。"),
    )
    until = django_filters.DateFilter(
        label=_("截止日期"), method="filter_until", help_text=_("含当日(YYYY-MM-DD)。"),
    )

    class Meta:
        model = AuditRecord
        fields = ["actor", "action", "object_type", "object_id", "request_id", "client_ip",
                  "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices are read when the form is built: the labels are discovered per app.
        self.filters["action"].extra["widget"] = forms.Select(choices=labels.action_choices())
        self.filters["object_type"].extra["widget"] = forms.Select(
            choices=labels.object_type_choices())

    def filter_since(self, queryset, name, value: dt.date):
        return queryset.filter(at__gte=day_bounds(value)[0])

    def filter_until(self, queryset, name, value: dt.date):
        return queryset.filter(at__lt=day_bounds(value)[1])
