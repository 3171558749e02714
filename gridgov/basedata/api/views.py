"""The basic-data API under /api/basedata/: people, buildings, houses, organisations,
components.

Reads go through ``restrict()`` (out of scope is 404); lists use the same FilterSets as the
pages and exports; ID numbers and phones are masked; a full value is revealed only by POST
``/people/{id}/reveal/`` with a reason, and audited. Writes are ``ActionViewSet``s: the input
serializer, then the verb of ``basedata.actions``, then the output serializer.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action

from gridgov.core import personal_data
from gridgov.core.api import ActionViewSet, ScopedViewSetMixin

from .. import access, actions
from ..filtersets import (
    BuildingFilterSet,
    ComponentFilterSet,
    HouseFilterSet,
    OrganisationFilterSet,
    PersonFilterSet,
)
from ..models import Building, Component, House, Organisation, Person
from ..permissions import CHANGE, REVEAL, VIEW_OBJECTS, VIEW_PEOPLE
from . import serializers as s


class _Special:
    """Serializers learn once per request whether the caller sees special-group tags; reads
    are narrowed by scope (``reads_narrowed_by_scope``)."""

    # The read permissions (basedata.view_people / view_objects) are the ones restrict_q
    # keeps records by: without them a caller reads nothing (empty list, 404), as the role ×
    # scope matrix (tests/test_scope.py) requires; writes need theirs (403).
    reads_narrowed_by_scope = True

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["special"] = access.can_see_special(self.request.user)
        return context


class _Writable(_Special, mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """List, detail and writes through actions. ``action_inputs`` names the input
    serializer of each extra action (``@action`` methods)."""

    action_inputs: dict = {}

    def get_input_serializer(self, *, partial=False, **kwargs):
        cls = self.action_inputs.get(self.action)
        if cls is None:
            return super().get_input_serializer(partial=partial, **kwargs)
        return cls(data=self.request.data, context=self.get_serializer_context(), **kwargs)


# ActionViewSet routes create and partial_update for every subclass; the ones a viewset
# does not offer answer 405 and stay out of the schema.
_NO_UPDATE = extend_schema_view(partial_update=extend_schema(exclude=True))


class PersonViewSet(_Writable):
    """实有人口: list, detail, collect, correct, reveal (audited)."""

    queryset = Person.objects.current().prefetch_related("tags")
    filterset_class = PersonFilterSet
    serializer_class = s.PersonDetailSerializer
    input_serializer_class = s.PersonInputSerializer
    update_input_serializer_class = s.PersonUpdateSerializer
    action_inputs = {"reveal": s.RevealInputSerializer}
    create_action = staticmethod(actions.create_person)
    update_action = staticmethod(actions.update_person)
    required_permissions = {"list": VIEW_PEOPLE, "retrieve": VIEW_PEOPLE, "create": CHANGE,
                            "partial_update": CHANGE, "reveal": REVEAL}

    def get_serializer_class(self):
        return s.PersonSerializer if self.action == "list" else s.PersonDetailSerializer

    def get_queryset(self):
        if self.action == "reveal":
            # Reveal reads every person the caller may see (merged ones too); the action
            # checks the permission again and audits.
            return Person.objects.restrict(self.request.user)
        return super().get_queryset()

    def scope_action(self):
        if self.action == "reveal":
            return "view"
        return super().scope_action()

    @extend_schema(summary="采集人员", request=s.PersonInputSerializer,
                   responses={201: s.PersonDetailSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(summary="修改人员", request=s.PersonUpdateSerializer,
                   responses=s.PersonDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(summary="查看完整身份证号或手机号(需填写理由,记入审计)",
                   request=s.RevealInputSerializer, responses=s.RevealSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        person = self.get_object()
        response = self.run(lambda data: {
            "field": data["field"],
            "value": personal_data.reveal(person, data["field"], actor=request.user,
                                          reason=data["reason"]),
        }, serializer_class=s.RevealSerializer)
        response["Cache-Control"] = "no-store"
        return response


class BuildingViewSet(_Special, ScopedViewSetMixin, mixins.ListModelMixin,
                      mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """楼栋: list and detail (read only; buildings are recorded by ``actions.create_building``).

    ``house_count`` and the detail's ``houses`` count only the houses the caller may see.
    """

    queryset = Building.objects.all()
    filterset_class = BuildingFilterSet
    serializer_class = s.BuildingSerializer
    required_permission = VIEW_OBJECTS

    def get_serializer_class(self):
        return s.BuildingDetailSerializer if self.action == "retrieve" else s.BuildingSerializer

    def get_queryset(self):
        return super().get_queryset().with_house_counts(self.request.user)


@_NO_UPDATE
class HouseViewSet(_Writable):
    """房屋: list, detail, record."""

    queryset = House.objects.all()
    filterset_class = HouseFilterSet
    serializer_class = s.HouseSerializer
    input_serializer_class = s.HouseInputSerializer
    create_action = staticmethod(actions.create_house)
    required_permissions = {"create": CHANGE, "*": VIEW_OBJECTS}

    @extend_schema(summary="登记房屋", request=s.HouseInputSerializer,
                   responses={201: s.HouseSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


@_NO_UPDATE
class OrganisationViewSet(_Writable):
    """单位: list, detail, record."""

    queryset = Organisation.objects.all()
    filterset_class = OrganisationFilterSet
    serializer_class = s.OrganisationSerializer
    input_serializer_class = s.OrganisationInputSerializer
    create_action = staticmethod(actions.create_organisation)
    required_permissions = {"create": CHANGE, "*": VIEW_OBJECTS}

    @extend_schema(summary="登记单位", request=s.OrganisationInputSerializer,
                   responses={201: s.OrganisationSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


@_NO_UPDATE
class ComponentViewSet(_Writable):
    """部件: list, detail, record, state."""

    queryset = Component.objects.select_related(
        "owner_department", "custodian_department", "maintainer_department")
    filterset_class = ComponentFilterSet
    serializer_class = s.ComponentSerializer
    input_serializer_class = s.ComponentInputSerializer
    action_inputs = {"state": s.ComponentStateSerializer}
    create_action = staticmethod(actions.create_component)
    required_permissions = {"create": CHANGE, "state": CHANGE, "*": VIEW_OBJECTS}

    @extend_schema(summary="登记部件", request=s.ComponentInputSerializer,
                   responses={201: s.ComponentSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(summary="更新部件状态", request=s.ComponentStateSerializer,
                   responses=s.ComponentSerializer)
    @action(detail=True, methods=["post"])
    def state(self, request, pk=None):
        comp = self.get_object()
        return self.run(lambda data: actions.set_component_state(
            comp, data["state"], actor=request.user, remark=data.get("remark", "")))
