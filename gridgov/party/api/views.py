"""The party API (/api/v1/party/): organisations (with 换届), members (status, check-in),
posts, transfers (accept / reject / cancel). Reads are narrowed by scope (``party.view``);
writes need ``party.manage`` where the record is, go through ``actions`` and take an
``Idempotency-Key``; ``expected_version`` behind the stored one answers 409."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.core.api import ActionViewSet

from .. import actions
from ..filtersets import (
    PartyMemberFilterSet,
    PartyOrganisationFilterSet,
    PartyPostFilterSet,
    PartyTransferFilterSet,
)
from ..models import PartyMember, PartyOrganisation, PartyPost, PartyTransfer
from ..permissions import MANAGE, VIEW
from .serializers import (
    PartyCheckInInputSerializer,
    PartyConflictSerializer,
    PartyDecisionInputSerializer,
    PartyEmptyInputSerializer,
    PartyEndPostInputSerializer,
    PartyMemberInputSerializer,
    PartyMemberSerializer,
    PartyMemberUpdateSerializer,
    PartyOrganisationInputSerializer,
    PartyOrganisationSerializer,
    PartyPostInputSerializer,
    PartyPostSerializer,
    PartyStatusInputSerializer,
    PartyTermInputSerializer,
    PartyTransferInputSerializer,
    PartyTransferSerializer,
)


def _conflict(exc: actions.StaleVersion):
    return Response({"errors": [{"field": "expected_version", "code": "stale",
                                 "message": str(exc)}],
                     "current_version": exc.current.version},
                    status=status.HTTP_409_CONFLICT)


class _PartyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    reads_narrowed_by_scope = True
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _input(self, cls):
        serializer = cls(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _scoped(self, model, pk, field, action="change"):
        obj = model.objects.restrict(self.request.user, action).filter(pk=pk).first()
        if obj is None:
            raise ValidationError({field: _("没有这个记录,或不在您负责的区域内。")})
        return obj


class OrganisationViewSet(_PartyViewSet):
    """党组织: the organisations of the caller's areas; 换届 via ``term``."""

    queryset = PartyOrganisation.objects.select_related("area")
    serializer_class = PartyOrganisationSerializer
    input_serializer_class = PartyOrganisationInputSerializer
    filterset_class = PartyOrganisationFilterSet
    required_permissions = {"list": VIEW, "retrieve": VIEW, "create": MANAGE,
                            "partial_update": MANAGE, "term": MANAGE}

    def get_queryset(self):
        return super().get_queryset().order_by("area_code", "kind", "id")

    def _values(self, data, current=None):
        from gridgov.areas.models import Area

        area = Area.objects.filter(code=data.pop("area_code")).first()
        if area is None:
            raise ValidationError({"area_code": _("没有这个区域。")})
        parent = data.pop("parent", None)
        if current is not None and parent and parent == current.parent_id:
            parent = current.parent  # unchanged (it may lie above the caller's areas)
        elif parent:
            parent = self._scoped(PartyOrganisation, parent, "parent", "view")
        return {**data, "area": area, "parent": parent}

    @extend_schema(summary="新建党组织", request=PartyOrganisationInputSerializer,
                   responses={201: PartyOrganisationSerializer})
    def create(self, request, *args, **kwargs):
        data = self.read_input()
        data.pop("expected_version", None)
        org = actions.save_organisation(None, **self._values(data), actor=request.user)
        return self.respond(org, status=status.HTTP_201_CREATED)

    @extend_schema(summary="修改党组织", request=PartyOrganisationInputSerializer,
                   responses={200: PartyOrganisationSerializer, 409: PartyConflictSerializer})
    def partial_update(self, request, *args, **kwargs):
        org = self.get_object()
        data = self.read_input(partial=True)
        values = {"name": org.name, "kind": org.kind, "parent": org.parent_id,
                  "area_code": org.area_code, "is_active": org.is_active}
        values.update(data)
        try:
            saved = actions.save_organisation(org, **self._values(values, org),
                                              actor=request.user)
        except actions.StaleVersion as exc:
            return _conflict(exc)
        return self.respond(saved)

    @extend_schema(summary="换届(记录新一届任期)", request=PartyTermInputSerializer,
                   responses={200: PartyOrganisationSerializer, 409: PartyConflictSerializer})
    @action(detail=True, methods=["post"])
    def term(self, request, pk=None):
        org = self.get_object()
        data = self._input(PartyTermInputSerializer)
        try:
            actions.set_term(org, **data, actor=request.user)
        except actions.StaleVersion as exc:
            return _conflict(exc)
        return self.respond(PartyOrganisation.objects.get(pk=org.pk))


class MemberViewSet(_PartyViewSet):
    """党员: the members of the caller's areas (and the in-service members checked in to an
    organisation of them)."""

    queryset = PartyMember.objects.select_related("person", "organisation")
    serializer_class = PartyMemberSerializer
    input_serializer_class = PartyMemberInputSerializer
    filterset_class = PartyMemberFilterSet
    update_input_serializer_class = PartyMemberUpdateSerializer
    required_permissions = {"list": VIEW, "retrieve": VIEW, "create": MANAGE,
                            "partial_update": MANAGE, "status": MANAGE, "check_in": MANAGE,
                            "check_out": MANAGE}

    def get_queryset(self):
        return super().get_queryset().order_by("area_code", "id")

    def _user(self, user_id):
        from gridgov.accounts.models import User

        if not user_id:
            return None
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise ValidationError({"user": _("所选账号不存在或已停用。")})
        return user

    @extend_schema(summary="登记党员", request=PartyMemberInputSerializer,
                   responses={201: PartyMemberSerializer})
    def create(self, request, *args, **kwargs):
        from gridgov.basedata.models import Person
        from gridgov.core.access import get_scope

        data = self.read_input()
        scope = get_scope(request.user)
        person = Person.objects.filter(scope.area_q("area_code", MANAGE),
                                       pk=data.pop("person")).first()
        if person is None:
            raise ValidationError({"person": _("在您负责的区域内没有这个人员。")})
        org = self._scoped(PartyOrganisation, data.pop("organisation"), "organisation")
        member = actions.add_member(person=person, organisation=org,
                                    user=self._user(data.pop("user", None)), **data,
                                    actor=request.user)
        return self.respond(self.queryset.get(pk=member.pk), status=status.HTTP_201_CREATED)

    @extend_schema(summary="修改党员信息", request=PartyMemberUpdateSerializer,
                   responses={200: PartyMemberSerializer, 409: PartyConflictSerializer})
    def partial_update(self, request, *args, **kwargs):
        member = self.get_object()
        data = self.read_input(partial=True)
        values = {"kind": member.kind, "joined_on": member.joined_on,
                  "in_service": member.in_service, "work_unit": member.work_unit,
                  "user": member.user}
        if "user" in data:
            data["user"] = self._user(data["user"])
        values.update(data)
        try:
            saved = actions.update_member(member, **values, actor=request.user)
        except actions.StaleVersion as exc:
            return _conflict(exc)
        return self.respond(self.queryset.get(pk=saved.pk))

    @extend_schema(summary="变更党员状态(已故、已出党、恢复在册)",
                   request=PartyStatusInputSerializer,
                   responses={200: PartyMemberSerializer, 409: PartyConflictSerializer})
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        member = self.get_object()
        try:
            actions.change_member_status(member, **self._input(PartyStatusInputSerializer),
                                         actor=request.user)
        except actions.StaleVersion as exc:
            return _conflict(exc)
        return self.respond(self.queryset.get(pk=member.pk))

    @extend_schema(summary="在职党员到社区报到(双报到)", request=PartyCheckInInputSerializer,
                   responses={200: PartyMemberSerializer})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        member = self.get_object()
        data = self._input(PartyCheckInInputSerializer)
        org = PartyOrganisation.objects.filter(pk=data["organisation"]).first()
        if org is None:
            raise ValidationError({"organisation": _("没有这个党组织。")})
        actions.check_in(member, organisation=org, on=data.get("on"), actor=request.user)
        return self.respond(self.queryset.get(pk=member.pk))

    @extend_schema(summary="取消社区报到", request=PartyEmptyInputSerializer,
                   responses={200: PartyMemberSerializer})
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        member = self.get_object()
        actions.check_out(member, actor=request.user)
        return self.respond(self.queryset.get(pk=member.pk))


class PostViewSet(_PartyViewSet):
    """党组织职务: committee posts (书记, 委员 …) with their terms."""

    queryset = PartyPost.objects.select_related("member__person")
    serializer_class = PartyPostSerializer
    input_serializer_class = PartyPostInputSerializer
    filterset_class = PartyPostFilterSet
    required_permissions = {"list": VIEW, "retrieve": VIEW, "create": MANAGE, "end": MANAGE}
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().order_by("organisation_id", "post", "id")

    @extend_schema(summary="任命职务", request=PartyPostInputSerializer,
                   responses={201: PartyPostSerializer})
    def create(self, request, *args, **kwargs):
        data = self.read_input()
        org = self._scoped(PartyOrganisation, data.pop("organisation"), "organisation")
        member = self._scoped(PartyMember, data.pop("member"), "member")
        post = actions.appoint(org, member=member, **data, actor=request.user)
        return self.respond(self.queryset.get(pk=post.pk), status=status.HTTP_201_CREATED)

    @extend_schema(summary="免去职务", request=PartyEndPostInputSerializer,
                   responses={200: PartyPostSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        post = self.get_object()
        actions.end_post(post, **self._input(PartyEndPostInputSerializer), actor=request.user)
        return self.respond(self.queryset.get(pk=post.pk))


class TransferViewSet(_PartyViewSet):
    """组织关系转接: both ends see a transfer; the receiving organisation accepts or returns
    it, the sending one withdraws it."""

    queryset = PartyTransfer.objects.select_related("member__person")
    serializer_class = PartyTransferSerializer
    input_serializer_class = PartyTransferInputSerializer
    filterset_class = PartyTransferFilterSet
    required_permissions = {"list": VIEW, "retrieve": VIEW, "create": MANAGE,
                            "accept": MANAGE, "reject": MANAGE, "cancel": MANAGE}
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().order_by("-requested_at", "-id")

    @extend_schema(summary="发起组织关系转接", request=PartyTransferInputSerializer,
                   responses={201: PartyTransferSerializer})
    def create(self, request, *args, **kwargs):
        data = self.read_input()
        member = self._scoped(PartyMember, data.pop("member"), "member")
        to = data.pop("to_organisation", None)
        if to:
            to = PartyOrganisation.objects.filter(pk=to).first()
            if to is None:
                raise ValidationError({"to_organisation": _("没有这个党组织。")})
        transfer = actions.request_transfer(member, to_organisation=to, **data,
                                            actor=request.user)
        return self.respond(self.queryset.get(pk=transfer.pk), status=status.HTTP_201_CREATED)

    def _decide(self, request, pk, call):
        transfer = get_object_or_404(
            PartyTransfer.objects.restrict(request.user, "view"), pk=pk)
        call(transfer, **self._input(PartyDecisionInputSerializer), actor=request.user)
        return self.respond(self.queryset.get(pk=transfer.pk))

    @extend_schema(summary="接收转入", request=PartyDecisionInputSerializer,
                   responses={200: PartyTransferSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._decide(request, pk, actions.accept_transfer)

    @extend_schema(summary="退回转接", request=PartyDecisionInputSerializer,
                   responses={200: PartyTransferSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, pk, actions.reject_transfer)

    @extend_schema(summary="撤回转接", request=PartyDecisionInputSerializer,
                   responses={200: PartyTransferSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._decide(request, pk, actions.cancel_transfer)
