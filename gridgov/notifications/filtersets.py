"""One FilterSet for the notification list page and API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import Kind
from .models import Notification


class NotificationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=Kind.choices)
    unread = django_filters.BooleanFilter(label=_("仅未读"), method="filter_unread")

    class Meta:
        model = Notification
        fields = ["kind", "unread"]

    def filter_unread(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(read_at__isnull=value)
