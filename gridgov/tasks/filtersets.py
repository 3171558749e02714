"""Filters of the task lists (the API and the command room's page)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OPEN_STATES, TaskKind, TaskState
from .models import Task

YES_NO = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


class TaskFilterSet(django_filters.FilterSet):
    """kind, state, grid (an area code: a street or community covers its grids), overdue,
    mine (the caller's own tasks)."""

    kind = django_filters.ChoiceFilter(label=_("任务类型"), choices=TaskKind.choices,
                                       empty_label=_("全部"))
    state = django_filters.ChoiceFilter(label=_("状态"), choices=TaskState.choices,
                                        empty_label=_("全部"))
    grid = django_filters.CharFilter(label=_("区域编码"), method="filter_grid")
    overdue = django_filters.BooleanFilter(label=_("已超期"), method="filter_overdue",
                                           widget=forms.Select(choices=YES_NO))
    mine = django_filters.BooleanFilter(label=_("我的任务"), method="filter_mine",
                                        widget=forms.Select(choices=YES_NO))

    class Meta:
        model = Task
        fields = ["kind", "state", "grid", "overdue", "mine"]

    def filter_grid(self, queryset, name, value):
        value = (value or "").strip()
        return queryset.filter(area_code__startswith=value) if value else queryset

    def filter_overdue(self, queryset, name, value):
        late = Q(state__in=OPEN_STATES, due_at__lt=timezone.now())
        if value is None:
            return queryset
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset
        return queryset.filter(assignee_id=user.pk)
