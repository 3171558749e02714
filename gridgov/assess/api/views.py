"""The assessment API (/assess/api/): rankings (live or frozen), snapshots and appeals."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core.api import ActionViewSet, ScopedReadOnlyViewSet, json_errors

from .. import actions, compute
from ..choices import SubjectKind
from ..models import Appeal, Snapshot
from ..views.base import AssessView
from ..views.ranking import results_for
from .serializers import (
    AppealInputSerializer,
    AppealSerializer,
    DecisionInputSerializer,
    RankingSerializer,
    ResultSerializer,
    SnapshotSerializer,
    result_data,
)

SELECTOR = [OpenApiParameter(name, str, required=False, description=text) for name, text in (
    ("kind", "department / street / community / grid / worker"),
    ("period", "day / week / month / quarter / year / custom"), ("date", "YYYY-MM-DD"),
    ("start", "custom: YYYY-MM-DD"), ("end", "custom: YYYY-MM-DD"), ("scheme", "scheme id"),
    ("mode", "frozen (latest snapshot when there is one) / live"), ("version", "snapshot"))]


class RankingAPIView(APIView):
    """考核排名: the same figures as the ranking page, scoped to the caller."""

    required_permission = "assess.view"

    @extend_schema(summary="考核排名", parameters=SELECTOR, responses={200: RankingSerializer})
    def get(self, request):
        reader = AssessView()
        reader.request = request
        if not reader.read(request):
            return json_errors(reader.form.errors.get_json_data(), status=400)
        results = results_for(reader)
        return Response({
            "kind": reader.kind, "scheme": reader.scheme.name,
            "snapshot": reader.snapshot.pk if reader.snapshot else None,
            "period": {"kind": reader.period.kind, "start": reader.period.start.isoformat(),
                       "end": reader.period.end.isoformat()},
            "results": [result_data(r) for r in results]})


class SnapshotViewSet(ScopedReadOnlyViewSet):
    """Frozen monthly assessments; ``results`` ranks one subject kind from the stored cases
    inside the caller's areas or department."""

    queryset = Snapshot.objects.select_related("scheme")
    serializer_class = SnapshotSerializer
    required_permission = "assess.view"

    # A ranking is read whole (ranks are over the whole set), like /assess/ranking/: not
    # paged, so the schema documents a plain array and no limit/offset/cursor.
    @extend_schema(summary="考核快照的排名", responses={200: ResultSerializer(many=True)},
                   parameters=[OpenApiParameter(
                       "kind", str, required=False, enum=list(SubjectKind.values),
                       description="department / street / community / grid / worker")])
    @action(detail=True, methods=["get"], pagination_class=None)
    def results(self, request, pk=None):
        snapshot = self.get_object()
        kind = request.query_params.get("kind") or SubjectKind.STREET
        if kind not in SubjectKind.values:
            return json_errors({"kind": [{"message": "未知的考核对象类型。",
                                          "code": "invalid"}]})
        ranked = compute.ranking(compute.FrozenSource(request.user, snapshot), kind,
                                 snapshot.scheme_items)
        return Response([result_data(r) for r in ranked])


def create_appeal(*, event, indicator, reason, actor):
    case = get_object_or_404(actions.appealable_events(actor), pk=event)
    return actions.submit_appeal(case, indicator=indicator, reason=reason, actor=actor)


class AppealViewSet(ActionViewSet):
    """申诉: departments create them for their own cases (another's: 404); the shift leader
    decides. No PATCH or DELETE: an appeal changes only by its decision (``decide``)."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Appeal.objects.select_related("event", "department")
    serializer_class = AppealSerializer
    input_serializer_class = AppealInputSerializer
    create_action = staticmethod(create_appeal)
    required_permissions = {"list": ("assess.appeal", "assess.decide_appeal"),
                            "retrieve": ("assess.appeal", "assess.decide_appeal"),
                            "create": "assess.appeal", "decide": "assess.decide_appeal"}

    @extend_schema(summary="考核申诉列表")
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary="考核申诉")
    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(summary="提出申诉", request=AppealInputSerializer,
                   responses={201: AppealSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(summary="审核申诉", request=DecisionInputSerializer,
                   responses={200: AppealSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        appeal = self.get_object()
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = actions.decide_appeal(appeal, accept=data["accept"], reason=data["reason"],
                                       actor=request.user)
        return self.respond(result)
