"""One FilterSet for events, shared by the API, the lists and exports.

Filters only narrow a queryset that has already been through ``restrict()``.
"""

import re

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core import personal_data
from gridgov.core.access import get_scope

from .choices import EventLevel, Source, State, Urgency
from .models import Event

# A mobile number, or a landline with its area code (what intake accepts as a contact).
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{9,11})$")
PHONE_NOISE = re.compile(r"[\s()()-]")
code_prefix = RegexValidator(r"^\d{6,15}$", _("区域编码应为 6–15 位数字。"))
DEADLINE_CHOICES = (("due_soon", _("即将到期")), ("overdue", _("已超期")))


class EventFilterSet(django_filters.FilterSet):
    """Filters of the event lists: state, source, class, department, area, deadlines, text."""

    state = django_filters.MultipleChoiceFilter(label=_("状态"), choices=State.choices)
    source = django_filters.ChoiceFilter(label=_("来源"), choices=Source.choices)
    urgency = django_filters.ChoiceFilter(label=_("紧急程度"), choices=Urgency.choices)
    level = django_filters.ChoiceFilter(label=_("处置层级"), choices=EventLevel.choices)
    category = django_filters.CharFilter(label=_("事件小类编码"), field_name="category__code")
    major = django_filters.CharFilter(label=_("事件大类编码"), field_name="category__major__code")
    department = django_filters.CharFilter(label=_("责任部门编码"),
                                           field_name="department__code")
    within = django_filters.CharFilter(label=_("所属区域编码"), method="filter_within",
                                       validators=[code_prefix])
    supervised = django_filters.BooleanFilter(label=_("督办"))
    deadline = django_filters.ChoiceFilter(label=_("时限"), choices=DEADLINE_CHOICES,
                                           method="filter_deadline")
    created_after = django_filters.DateFilter(label=_("上报日期起"), field_name="created_at",
                                              lookup_expr="date__gte")
    created_before = django_filters.DateFilter(label=_("上报日期止"), field_name="created_at",
                                               lookup_expr="date__lte")
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")

    class Meta:
        model = Event
        fields = []

    def filter_within(self, queryset, name, value):
        return queryset.filter(area_code__startswith=value)

    def filter_deadline(self, queryset, name, value):
        now = timezone.now()
        if value == "overdue":
            return queryset.overdue(now)
        return queryset.due_soon(now)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        found = (Q(number__icontains=value) | Q(description__icontains=value)
                 | Q(address__icontains=value))
        phone = PHONE_NOISE.sub("", value).removeprefix("+86")
        if PHONE_RE.match(phone) and self._may_look_up_contacts():
            # A whole phone number finds its reporters' events by the keyed lookup hash
            # only (the number is stored encrypted), and only for those who may call
            # reporters back: to anyone else an exact match would confirm a guessed number.
            found |= Q(reporter_phone_hash=personal_data.phone_lookup_hash(phone))
        return queryset.filter(found)

    def _may_look_up_contacts(self) -> bool:
        scope = get_scope(getattr(self.request, "user", None))
        return scope is not None and scope.can("events.see_contact")
