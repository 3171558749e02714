"""The 三会一课 API (/api/v1/party/meetings/): list and detail, plan (create), record,
sign-in, cancel, and the overdue organisations.

Writes accept JSON or multipart (``record`` takes photos); every write accepts an
``Idempotency-Key`` (replayed by the middleware), and the verbs are idempotent themselves.
A member with an account (``party_meetings.sign_in``) reads the meetings of their own
organisation and signs in to them; the rest read and write inside their areas.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.core.api import ActionViewSet

from .. import actions
from ..choices import MeetingKind
from ..filtersets import MeetingFilterSet
from ..models import Meeting
from ..overdue import due_rows
from ..permissions import MANAGE, SIGN_IN, VIEW
from .serializers import (
    MeetingAttendanceSerializer,
    MeetingCancelInputSerializer,
    MeetingDetailSerializer,
    MeetingInputSerializer,
    MeetingOverdueRowSerializer,
    MeetingRecordInputSerializer,
    MeetingSerializer,
    MeetingSignInInputSerializer,
)


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """三会一课: the meetings of the organisations of the caller's areas (and of the caller's
    own organisation, for a member), newest first."""

    queryset = Meeting.objects.select_related("organisation")
    serializer_class = MeetingSerializer
    input_serializer_class = MeetingInputSerializer
    filterset_class = MeetingFilterSet
    http_method_names = ["get", "post", "head", "options"]
    required_permissions = {"list": (VIEW, SIGN_IN), "retrieve": (VIEW, SIGN_IN),
                            "create": MANAGE, "record": MANAGE, "cancel": MANAGE,
                            "sign_in": (SIGN_IN, MANAGE), "overdue": VIEW}
    reads_narrowed_by_scope = True

    def scope_action(self):
        # Signing in reads the meeting as a reader (a member may not change it).
        return "view" if self.action == "sign_in" else super().scope_action()

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related("attendance__member__person", "photos")
        return qs

    def get_serializer_class(self):
        if self.action in ("retrieve", "create", "record", "cancel"):
            return MeetingDetailSerializer
        return super().get_serializer_class()

    def _detail(self, meeting, status_code=200):
        meeting = (Meeting.objects.select_related("organisation")
                   .prefetch_related("attendance__member__person", "photos").get(pk=meeting.pk))
        return self.respond(meeting, status=status_code, serializer_class=MeetingDetailSerializer)

    @extend_schema(summary="组织会议(发布通知)", request=MeetingInputSerializer,
                   responses={201: MeetingDetailSerializer})
    def create(self, request, *args, **kwargs):
        from gridgov.party.models import PartyOrganisation

        data = self.read_input()
        org = get_object_or_404(PartyOrganisation.objects.restrict(request.user, "view"),
                                pk=data.pop("organisation"))
        meeting = actions.plan_meeting(org, **data, actor=request.user)
        return self._detail(meeting, status.HTTP_201_CREATED)

    @extend_schema(summary="记录会议(召开时间、会议记录、签到表、照片)",
                   request=MeetingRecordInputSerializer, responses={200: MeetingDetailSerializer})
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        meeting = self.get_object()
        serializer = MeetingRecordInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        leave = {row["member"]: row["reason"] for row in data.pop("leave", [])}
        meeting = actions.record_meeting(meeting, leave=leave, actor=request.user, **data)
        return self._detail(meeting)

    @extend_schema(summary="会议签到(本人签到,或书记代签)", request=MeetingSignInInputSerializer,
                   responses={200: MeetingAttendanceSerializer})
    @action(detail=True, methods=["post"], url_path="sign-in")
    def sign_in(self, request, pk=None):
        from gridgov.party.models import PartyMember

        meeting = self.get_object()
        serializer = MeetingSignInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member_id = serializer.validated_data.get("member")
        member = None
        if member_id:
            member = get_object_or_404(PartyMember.objects.restrict(request.user, "view"),
                                       pk=member_id)
        row = actions.sign_in(meeting, member=member, actor=request.user)
        row = type(row).objects.select_related("member__person").get(pk=row.pk)
        return Response(MeetingAttendanceSerializer(row).data)

    @extend_schema(summary="取消会议", request=MeetingCancelInputSerializer,
                   responses={200: MeetingDetailSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self.get_object()
        serializer = MeetingCancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting = actions.cancel_meeting(meeting, actor=request.user,
                                         **serializer.validated_data)
        return self._detail(meeting)

    @extend_schema(
        summary="逾期未开会的党组织(按会议类型,逾期最久在前)",
        parameters=[OpenApiParameter("area", str, required=False, description="区域编码"),
                    OpenApiParameter("kind", str, required=False, enum=MeetingKind.values,
                                     description="会议类型")],
        responses={200: MeetingOverdueRowSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def overdue(self, request):
        from django.core.exceptions import ValidationError

        params = request.query_params
        area, kind = params.get("area", ""), params.get("kind", "")
        if area and (not area.isdigit() or len(area) not in (6, 9, 12, 15)):
            raise ValidationError({"area": _("请填写 6、9、12 或 15 位区域编码。")})
        if kind and kind not in MeetingKind.values:
            raise ValidationError({"kind": _("未知的会议类型。")})
        rows = due_rows(request.user, area=area, kind=kind)
        return Response(MeetingOverdueRowSerializer(rows, many=True).data)
