"""The filters of party lists, shared by the API and the member list page.

Every filter narrows a queryset that has already been through ``restrict()``, so none can
widen what a principal sees; the organisation filter offers (and accepts) only the
organisations the user sees, and keeps the organisation's sub-organisations too.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import MemberStatus, OrgKind, TransferStatus
from .models import PartyMember, PartyOrganisation, PartyPost, PartyTransfer

YES_NO = forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))])
ALL = "all"


def visible_org_ids(user) -> dict[int | None, list[int]]:
    """{parent id: [child ids]} of the organisations the user sees (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in (PartyOrganisation.objects.restrict(user, "view")
                       .values_list("id", "parent_id")):
        children.setdefault(parent, []).append(pk)
    return children


def subtree(children, org_id) -> set[int]:
    out, todo = set(), [org_id]
    while todo:
        pk = todo.pop()
        if pk not in out:
            out.add(pk)
            todo.extend(children.get(pk, ()))
    return out


class PartyMemberFilterSet(django_filters.FilterSet):
    """党员: organisation (with its sub-organisations), status, in-service, person, name."""

    organisation = django_filters.ChoiceFilter(
        label=_("党组织"), method="filter_organisation", empty_label=_("全部"),
        help_text=_("该党组织及其下级组织的党员。"))
    status = django_filters.ChoiceFilter(
        label=_("状态"), method="filter_status", empty_label=None,
        choices=MemberStatus.choices + [(ALL, _("全部"))],
        help_text=_("默认只列在册党员;all 列出全部。"))
    in_service = django_filters.BooleanFilter(label=_("在职党员"), widget=YES_NO)
    person = django_filters.NumberFilter(label=_("人员"), field_name="person_id",
                                         widget=forms.HiddenInput)
    q = django_filters.CharFilter(label=_("姓名"), field_name="person__name",
                                  lookup_expr="contains", max_length=60)

    class Meta:
        model = PartyMember
        fields = ["organisation", "status", "in_service", "person", "q"]

    def __init__(self, data=None, *args, request=None, **kwargs):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = MemberStatus.ACTIVE
        super().__init__(data, *args, request=request, **kwargs)
        user = getattr(request, "user", None)
        orgs = (PartyOrganisation.objects.restrict(user, "view").filter(is_active=True)
                .order_by("area_code", "kind", "name").only("pk", "name", "kind")[:2000]
                if user is not None else [])
        self.filters["organisation"].extra["choices"] = [
            (str(o.pk), f"{o.name}({o.get_kind_display()})") for o in orgs]

    @property
    def qs(self):
        # Unbound (the page opened without filters): the active members.
        if not self.is_bound:
            return self.queryset.filter(status=MemberStatus.ACTIVE)
        return super().qs

    def filter_organisation(self, queryset, name, value):
        ids = subtree(visible_org_ids(self.request.user), int(value))
        return queryset.filter(organisation_id__in=ids)

    def filter_status(self, queryset, name, value):
        return queryset if value == ALL else queryset.filter(status=value)


class PartyOrganisationFilterSet(django_filters.FilterSet):
    """党组织: kind, parent, area (with the areas below), active."""

    kind = django_filters.ChoiceFilter(label=_("类型"), choices=OrgKind.choices,
                                       empty_label=_("全部"))
    parent = django_filters.NumberFilter(label=_("上级党组织"), field_name="parent_id")
    area = django_filters.CharFilter(label=_("区域编码"), field_name="area_code",
                                     lookup_expr="startswith", max_length=15,
                                     help_text=_("编码前缀:该区域及其下级区域的党组织。"))
    is_active = django_filters.BooleanFilter(label=_("有效"), widget=YES_NO)

    class Meta:
        model = PartyOrganisation
        fields = ["kind", "parent", "area", "is_active"]


class PartyPostFilterSet(django_filters.FilterSet):
    """党组织职务: organisation, current only."""

    organisation = django_filters.NumberFilter(label=_("党组织"), field_name="organisation_id")
    current = django_filters.BooleanFilter(label=_("只列现任"), field_name="ended_on",
                                           lookup_expr="isnull", widget=YES_NO)

    class Meta:
        model = PartyPost
        fields = ["organisation", "current"]


class PartyTransferFilterSet(django_filters.FilterSet):
    """组织关系转接: status, member."""

    status = django_filters.ChoiceFilter(label=_("状态"), choices=TransferStatus.choices,
                                         empty_label=_("全部"))
    member = django_filters.NumberFilter(label=_("党员"), field_name="member_id")

    class Meta:
        model = PartyTransfer
        fields = ["status", "member"]
