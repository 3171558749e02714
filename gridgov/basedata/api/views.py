"""The basic-data API under /api/basedata/: people, buildings, houses, organisations,
components.

Reads go through ``restrict()`` (out of scope is 404); lists use the same FilterSets as the
pages and exports; ID numbers and phones are masked; a full value is revealed only by POST
``/people/{id}/reveal/`` with a reason, and audited. Writes are ``ActionViewSet``s: the input
serializer, then the verb of ``basedata.actions``, then the output serializer.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

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


def conflict_schema(name, serializer):
    """The 409 answer of a write with ``expected_version``: the errors and the record now."""
    return inline_serializer(f"{name}Conflict", fields={
        "errors": serializers.ListField(child=serializers.DictField()),
        "current": serializer(),
    })


class _Writable(_Special, mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """List, detail and writes through actions. ``action_inputs`` names the input
    serializer of each extra action (``@action`` methods). A stale ``expected_version``
    (``actions.VersionConflict``) answers 409 with the record as it is now under
    ``current``."""

    action_inputs: dict = {}

    def handle_exception(self, exc):
        if isinstance(exc, actions.VersionConflict):
            current = self.get_serializer_class()(exc.current,
                                                  context=self.get_serializer_context()).data
            return Response({"errors": [{"field": "expected_version", "code": "conflict",
                                         "message": str(exc)}], "current": current},
                            status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)

    def filter_queryset(self, queryset):
        # The list's filters (people: residing by default) narrow the list only; a detail
        # or a write finds any record of the scope (a moved-out person moves in again).
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_input_serializer(self, *, partial=False, **kwargs):
        cls = self.action_inputs.get(self.action)
        if cls is None:
            return super().get_input_serializer(partial=partial, **kwargs)
        return cls(data=self.request.data, context=self.get_serializer_context(), **kwargs)


# ActionViewSet routes create and partial_update for every subclass; the ones a viewset
# does not offer answer 405 and stay out of the schema.
_NO_UPDATE = extend_schema_view(partial_update=extend_schema(exclude=True))


PERSON_CONFLICT = conflict_schema("Person", s.PersonDetailSerializer)


def _person_write(summary, request_serializer):
    """The schema of a person's lifecycle action: its input, the person, 409 when stale."""
    return extend_schema(summary=summary, request=request_serializer,
                         responses={200: s.PersonDetailSerializer, 409: PERSON_CONFLICT})


class PersonViewSet(_Writable):
    """实有人口: list (residing people unless ``status`` says otherwise), detail, collect,
    correct, move in and out, death, phone, household, reveal (audited)."""

    queryset = Person.objects.current().prefetch_related("tags")
    filterset_class = PersonFilterSet
    serializer_class = s.PersonDetailSerializer
    input_serializer_class = s.PersonInputSerializer
    update_input_serializer_class = s.PersonUpdateSerializer
    action_inputs = {"reveal": s.RevealInputSerializer, "move_in": s.MoveInSerializer,
                     "move_out": s.MoveOutSerializer, "death": s.DeathSerializer,
                     "phone": s.PhoneSerializer, "household": s.HouseholdSerializer}
    create_action = staticmethod(actions.create_person)
    update_action = staticmethod(actions.update_person)
    required_permissions = {"list": VIEW_PEOPLE, "retrieve": VIEW_PEOPLE, "create": CHANGE,
                            "partial_update": CHANGE, "reveal": REVEAL, "move_in": CHANGE,
                            "move_out": CHANGE, "death": CHANGE, "phone": CHANGE,
                            "household": CHANGE}

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
                   responses={200: s.PersonDetailSerializer, 409: PERSON_CONFLICT})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def _lifecycle(self, verb, **fixed):
        person = self.get_object()
        return self.run(lambda data: verb(person, **data, **fixed, actor=self.request.user))

    @_person_write("迁入", s.MoveInSerializer)
    @action(detail=True, methods=["post"], url_path="move-in", url_name="move-in")
    def move_in(self, request, pk=None):
        person = self.get_object()
        return self.run(lambda data: actions.move_in(
            person, data.pop("house"), relation=data.pop("relation_to_head", None), **data,
            actor=request.user))

    @_person_write("迁出", s.MoveOutSerializer)
    @action(detail=True, methods=["post"], url_path="move-out", url_name="move-out")
    def move_out(self, request, pk=None):
        return self._lifecycle(actions.move_out)

    @_person_write("登记死亡", s.DeathSerializer)
    @action(detail=True, methods=["post"])
    def death(self, request, pk=None):
        return self._lifecycle(actions.record_death)

    @_person_write("变更手机号", s.PhoneSerializer)
    @action(detail=True, methods=["post"])
    def phone(self, request, pk=None):
        return self._lifecycle(actions.change_phone)

    @_person_write("变更家庭关系(户主为空则本人成为新户户主)", s.HouseholdSerializer)
    @action(detail=True, methods=["post"])
    def household(self, request, pk=None):
        person = self.get_object()
        return self.run(lambda data: actions.set_household(
            person, data.get("household_head"), data.get("relation_to_head"),
            expected_version=data.get("expected_version"), actor=request.user))

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


class HouseViewSet(_Writable):
    """房屋: list, detail, record, change (use, rental status … with ``expected_version``)."""

    queryset = House.objects.all()
    filterset_class = HouseFilterSet
    serializer_class = s.HouseSerializer
    input_serializer_class = s.HouseInputSerializer
    update_input_serializer_class = s.HouseUpdateSerializer
    create_action = staticmethod(actions.create_house)
    update_action = staticmethod(actions.update_house)
    required_permissions = {"create": CHANGE, "partial_update": CHANGE, "*": VIEW_OBJECTS}

    @extend_schema(summary="登记房屋", request=s.HouseInputSerializer,
                   responses={201: s.HouseSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(summary="修改房屋(用途、出租状态等)", request=s.HouseUpdateSerializer,
                   responses={200: s.HouseSerializer,
                              409: conflict_schema("House", s.HouseSerializer)})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)


class OrganisationViewSet(_Writable):
    """单位: list, detail, record, correct (with ``expected_version``)."""

    queryset = Organisation.objects.all()
    filterset_class = OrganisationFilterSet
    serializer_class = s.OrganisationSerializer
    input_serializer_class = s.OrganisationInputSerializer
    update_input_serializer_class = s.OrganisationUpdateSerializer
    create_action = staticmethod(actions.create_organisation)
    update_action = staticmethod(actions.update_organisation)
    required_permissions = {"create": CHANGE, "partial_update": CHANGE, "*": VIEW_OBJECTS}

    @extend_schema(summary="登记单位", request=s.OrganisationInputSerializer,
                   responses={201: s.OrganisationSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(summary="修改单位", request=s.OrganisationUpdateSerializer,
                   responses={200: s.OrganisationSerializer,
                              409: conflict_schema("Organisation", s.OrganisationSerializer)})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)


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
