"""Filters of the proactive lists, shared by the API and the pages."""

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import BenefitKind, BenefitStatus, TaskKind, TaskState
from .models import Benefit, Consent, ServiceTask

YES_NO = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


def area_code(value):
    if value and (not value.isdigit() or len(value) not in (6, 9, 12, 15)):
        raise ValidationError(_("请填写 6、9、12 或 15 位区域编码。"))


def month_value(value):
    try:
        dt.datetime.strptime(value or "", "%Y-%m")
    except ValueError:
        raise ValidationError(_("请按 2026-12 的格式填写月份。")) from None


def _within(queryset, name, value):
    return queryset.filter(area_code__startswith=value) if value else queryset


class ServiceTaskFilterSet(django_filters.FilterSet):
    """kind, state, area (a street, community or grid code), overdue, mine (assigned to the
    caller), person."""

    kind = django_filters.ChoiceFilter(label=_("任务类型"), choices=TaskKind.choices,
                                       empty_label=_("全部"))
    state = django_filters.ChoiceFilter(label=_("状态"), choices=TaskState.choices,
                                        empty_label=_("全部"))
    area = django_filters.CharFilter(label=_("区域编码"), method=_within,
                                     validators=[area_code])
    overdue = django_filters.BooleanFilter(label=_("已超期"), method="filter_overdue",
                                           widget=forms.Select(choices=YES_NO))
    mine = django_filters.BooleanFilter(label=_("我的任务"), method="filter_mine",
                                        widget=forms.Select(choices=YES_NO))
    person = django_filters.NumberFilter(label=_("人员"), field_name="person_id",
                                         widget=forms.HiddenInput)

    class Meta:
        model = ServiceTask
        fields = ["kind", "state", "area", "overdue", "mine", "person"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(state=TaskState.OPEN, due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset
        return queryset.filter(assignee_id=user.pk)


class BenefitFilterSet(django_filters.FilterSet):
    """kind, status, month (started or stopped in that month), area, without application."""

    kind = django_filters.ChoiceFilter(label=_("待遇类型"), choices=BenefitKind.choices,
                                       empty_label=_("全部"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=BenefitStatus.choices,
                                         empty_label=_("全部"))
    month = django_filters.CharFilter(label=_("月份"), method="filter_month",
                                      validators=[month_value])
    area = django_filters.CharFilter(label=_("区域编码"), method=_within,
                                     validators=[area_code])
    without_application = django_filters.BooleanFilter(
        label=_("免申即享"), widget=forms.Select(choices=YES_NO))
    person = django_filters.NumberFilter(label=_("人员"), field_name="person_id",
                                         widget=forms.HiddenInput)

    class Meta:
        model = Benefit
        fields = ["kind", "status", "month", "area", "without_application", "person"]

    def filter_month(self, queryset, name, value):
        if not value:
            return queryset
        start = dt.datetime.strptime(value, "%Y-%m").date()
        end = (start + dt.timedelta(days=32)).replace(day=1)
        return queryset.filter(Q(started_on__gte=start, started_on__lt=end)
                               | Q(stopped_on__gte=start, stopped_on__lt=end))


class ConsentFilterSet(django_filters.FilterSet):
    person = django_filters.NumberFilter(label=_("人员"), field_name="person_id")
    latest = django_filters.BooleanFilter(label=_("仅最新"), method="filter_latest")

    class Meta:
        model = Consent
        fields = ["person", "latest"]

    def filter_latest(self, queryset, name, value):
        if not value:
            return queryset
        newer = Consent.objects.filter(person_id=OuterRef("person_id"),
                                       channel=OuterRef("channel"), pk__gt=OuterRef("pk"))
        return queryset.exclude(Exists(newer))
