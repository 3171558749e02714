"""One FilterSet for the notification list page and API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Kind
from .models import Notification


class NotificationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=Kind.choices,
                                       empty_label=_("全部类型"))
    # Words, not 是/否/未知: the value stays a boolean (``unread=true`` on page and API).
    unread = django_filters.BooleanFilter(
        label=_("状态"), method="filter_unread",
        widget=forms.Select(choices=[("", _("全部")), ("true", _("未读")), ("false", _("已读"))]))

    class Meta:
        model = Notification
        fields = ["kind", "unread"]

    def filter_unread(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(read_at__isnull=value)
