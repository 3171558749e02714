"""The basic-data API under /api/basedata/: people, buildings, houses, organisations,
components.

Reads go through ``restrict()`` (out of scope is 404); lists use the same FilterSets as the
pages and exports; ID numbers and phones are masked; a full value is revealed only by POST
``/people/{id}/reveal/`` with a reason, and audited.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.areas.models import Area
from gridgov.core.api import ScopedViewSetMixin

from .. import access, actions
from ..filtersets import (
    BuildingFilterSet,
    ComponentFilterSet,
    HouseFilterSet,
    OrganisationFilterSet,
    PersonFilterSet,
)
from ..models import Building, Component, House, Organisation, Person
from . import serializers as s


def _grid(code):
    if not code:
        return None
    try:
        return Area.objects.get(code=code, level="grid")
    except Area.DoesNotExist:
        raise ValidationError({"grid": "网格编码不存在。"}) from None


class _Base(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
            viewsets.GenericViewSet):
    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["special"] = access.can_see_special(self.request.user)
        return context


class PersonViewSet(_Base):
    """实有人口: list, detail, collect, correct, reveal (audited)."""

    queryset = Person.objects.current().prefetch_related("tags")
    filterset_class = PersonFilterSet
    serializer_class = s.PersonSerializer

    def get_serializer_class(self):
        return s.PersonDetailSerializer if self.action == "retrieve" else s.PersonSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "reveal":
            # Reveal reads: a role that may see the person may ask (the action checks roles).
            return Person.objects.restrict(self.request.user)
        return qs

    @extend_schema(summary="采集人员", request=s.PersonInputSerializer,
                   responses={201: s.PersonDetailSerializer})
    def create(self, request):
        data = s.PersonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        house_id = values.pop("house", None)
        house = None
        if house_id:
            house = get_object_or_404(House.objects.restrict(request.user, "change"),
                                      pk=house_id)
        grid = _grid(values.pop("grid", ""))
        person = actions.create_person(actor=request.user, grid=grid, house=house, **values)
        return Response(s.PersonDetailSerializer(person, context=self.get_serializer_context())
                        .data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="修改人员", request=s.PersonUpdateSerializer,
                   responses=s.PersonDetailSerializer)
    def partial_update(self, request, pk=None):
        person = self.get_object()
        data = s.PersonUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        person = actions.update_person(person, actor=request.user, **data.validated_data)
        return Response(s.PersonDetailSerializer(person, context=self.get_serializer_context())
                        .data)

    @extend_schema(summary="查看完整身份证号或手机号(需填写理由,记入审计)",
                   request=s.RevealInputSerializer, responses=s.RevealSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        person = self.get_object()
        data = s.RevealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        value = actions.reveal(person, data.validated_data["field"], actor=request.user,
                               reason=data.validated_data["reason"])
        response = Response({"field": data.validated_data["field"], "value": value})
        response["Cache-Control"] = "no-store"
        return response

    def scope_action(self):
        if self.action == "reveal":
            return "view"
        return super().scope_action()


class BuildingViewSet(_Base):
    """楼栋: list and detail (read only; buildings are recorded by ``actions.create_building``).

    ``house_count`` and the detail's ``houses`` count only the houses the caller may see.
    """

    queryset = Building.objects.all()
    filterset_class = BuildingFilterSet
    serializer_class = s.BuildingSerializer

    def get_serializer_class(self):
        return s.BuildingDetailSerializer if self.action == "retrieve" else s.BuildingSerializer

    def get_queryset(self):
        return super().get_queryset().with_house_counts(self.request.user)


class HouseViewSet(_Base):
    """房屋: list, detail, record."""

    queryset = House.objects.all()
    filterset_class = HouseFilterSet
    serializer_class = s.HouseSerializer

    @extend_schema(summary="登记房屋", request=s.HouseInputSerializer,
                   responses={201: s.HouseSerializer})
    def create(self, request):
        data = s.HouseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        house = actions.create_house(actor=request.user, grid=_grid(values.pop("grid", "")),
                                     **values)
        return Response(s.HouseSerializer(house).data, status=status.HTTP_201_CREATED)


class OrganisationViewSet(_Base):
    """单位: list, detail, record."""

    queryset = Organisation.objects.all()
    filterset_class = OrganisationFilterSet
    serializer_class = s.OrganisationSerializer

    @extend_schema(summary="登记单位", request=s.OrganisationInputSerializer,
                   responses={201: s.OrganisationSerializer})
    def create(self, request):
        data = s.OrganisationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        org = actions.create_organisation(actor=request.user,
                                          grid=_grid(values.pop("grid", "")), **values)
        return Response(s.OrganisationSerializer(org).data, status=status.HTTP_201_CREATED)


class ComponentViewSet(_Base):
    """部件: list, detail, record, state."""

    queryset = Component.objects.select_related(
        "owner_department", "custodian_department", "maintainer_department")
    filterset_class = ComponentFilterSet
    serializer_class = s.ComponentSerializer

    @extend_schema(summary="登记部件", request=s.ComponentInputSerializer,
                   responses={201: s.ComponentSerializer})
    def create(self, request):
        data = s.ComponentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comp = actions.create_component(actor=request.user, **data.validated_data)
        return Response(s.ComponentSerializer(comp).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="更新部件状态", request=s.ComponentStateSerializer,
                   responses=s.ComponentSerializer)
    @action(detail=True, methods=["post"])
    def state(self, request, pk=None):
        comp = self.get_object()
        data = s.ComponentStateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comp = actions.set_component_state(comp, data.validated_data["state"],
                                           actor=request.user,
                                           remark=data.validated_data.get("remark", ""))
        return Response(s.ComponentSerializer(comp).data)
