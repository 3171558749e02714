"""One FilterSet per list, shared by the pages, the API and the exports. Filters only narrow
a queryset that ``restrict()`` has already scoped."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.areas.filtersets import code_prefix
from gridgov.core import personal_data
from gridgov.core.textsearch import contains_q

from . import access, validators
from .choices import (
    ComponentState,
    HouseUse,
    OrgType,
    PersonStatus,
    RegistrationType,
    RentalStatus,
    Sex,
    Source,
)
from .models import Building, Component, House, Organisation, Person, Tag


class _Base(django_filters.FilterSet):
    area = django_filters.CharFilter(label=_("所属区域编码"), field_name="area_code",
                                     lookup_expr="startswith", validators=[code_prefix])
    source = django_filters.ChoiceFilter(label=_("来源"), choices=Source.choices)


STATUS_ALL = "all"


class PersonFilterSet(_Base):
    """People of the scope; residing ones unless ``status`` names another (``all``: 全部)."""

    q = django_filters.CharFilter(label=_("姓名/身份证号/手机号"), method="filter_q")
    status = django_filters.ChoiceFilter(
        label=_("人员状态"), method="filter_status", empty_label=None,
        choices=[*PersonStatus.choices, (STATUS_ALL, _("全部"))])
    registration_type = django_filters.ChoiceFilter(label=_("户籍类型"),
                                                    choices=RegistrationType.choices)
    sex = django_filters.ChoiceFilter(label=_("性别"), choices=Sex.choices)
    tag = django_filters.ModelChoiceFilter(label=_("人群标签"), field_name="tags",
                                           queryset=Tag.objects.all())
    born_before = django_filters.DateFilter(label=_("出生日期早于"), field_name="birth_date",
                                            lookup_expr="lt")
    born_after = django_filters.DateFilter(label=_("出生日期晚于"), field_name="birth_date",
                                           lookup_expr="gte")

    class Meta:
        model = Person
        fields = []

    def __init__(self, *args, special=None, **kwargs):
        super().__init__(*args, **kwargs)
        if special is None:
            user = getattr(self.request, "user", None)
            special = user is None or access.can_see_special(user)
        if not special:
            # A role that may not see special groups may not filter by them either.
            self.filters["tag"].queryset = Tag.objects.filter(kind="care", sensitivity__lt=3)

    @property
    def qs(self):
        if not self.is_bound and not hasattr(self, "_qs"):
            # A page opened without a query lists the residing people, like the default.
            self._qs = self.queryset.all().filter(status=PersonStatus.RESIDING)
        return super().qs

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=PersonStatus.RESIDING)
        return queryset

    def filter_status(self, queryset, name, value):
        return queryset if value == STATUS_ALL else queryset.filter(status=value)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        number = validators.normalise_id_number(value)
        if len(number) == 18:
            return queryset.filter(id_hash=personal_data.lookup_hash(number))
        digits = value.replace(" ", "").replace("-", "")
        if digits.isdigit() and len(digits) == 11:
            return queryset.filter(phone_hash=personal_data.lookup_hash(digits))
        return queryset.filter(contains_q(value, "name", "address"))


class BuildingFilterSet(_Base):
    q = django_filters.CharFilter(label=_("楼栋/地址"), method="filter_q")
    floors_min = django_filters.NumberFilter(label=_("层数不少于"), field_name="floors",
                                             lookup_expr="gte", min_value=0)
    floors_max = django_filters.NumberFilter(label=_("层数不多于"), field_name="floors",
                                             lookup_expr="lte", min_value=0)

    class Meta:
        model = Building
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(contains_q(value, "name", "address"))


class HouseFilterSet(_Base):
    q = django_filters.CharFilter(label=_("地址/产权人"), method="filter_q")
    use = django_filters.ChoiceFilter(label=_("用途"), choices=HouseUse.choices)
    rental_status = django_filters.ChoiceFilter(label=_("出租状态"), choices=RentalStatus.choices)

    class Meta:
        model = House
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(contains_q(value, "address", "owner_name"))


class OrganisationFilterSet(_Base):
    q = django_filters.CharFilter(label=_("名称/信用代码"), method="filter_q")
    org_type = django_filters.ChoiceFilter(label=_("类型"), choices=OrgType.choices)

    class Meta:
        model = Organisation
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(contains_q(value, "name", "address")
                               | Q(uscc=value.strip().upper()))


class ComponentFilterSet(_Base):
    q = django_filters.CharFilter(label=_("编码/名称/位置"), method="filter_q")
    state = django_filters.ChoiceFilter(label=_("状态"), choices=ComponentState.choices)
    major = django_filters.CharFilter(label=_("大类编码"))
    minor = django_filters.CharFilter(label=_("小类编码"))

    class Meta:
        model = Component
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(code__startswith=value) | contains_q(value, "name", "address"))
