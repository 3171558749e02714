"""The rules API (/api/v1/): rules (the administrator's: CRUD with ``expected_version``, a
preview) and their firings (read, scoped to the caller's areas, ``updated_since``)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.core.api import ActionViewSet, ScopedReadOnlyViewSet

from .. import actions
from ..filtersets import FiringFilterSet, RuleFilterSet
from ..models import Firing, Rule
from ..permissions import MANAGE, VIEW
from .serializers import (
    FiringSerializer,
    PreviewSerializer,
    RuleConflictSerializer,
    RuleInputSerializer,
    RuleRetireInputSerializer,
    RuleSerializer,
)


def _conflict(exc: actions.StaleVersion, request):
    return Response({"errors": [{"field": "expected_version", "code": "stale",
                                 "message": str(exc)}],
                     "current": RuleSerializer(exc.current,
                                               context={"request": request}).data},
                    status=status.HTTP_409_CONFLICT)


class RuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """规则: proactive-service rules (conditions over named facts, an outcome, a period).
    Leaders and grid chiefs read them; the system administrator edits them
    (``expected_version`` on changes: 409 with ``current`` when stale)."""

    queryset = Rule.objects.all()
    serializer_class = RuleSerializer
    input_serializer_class = RuleInputSerializer
    filterset_class = RuleFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_permissions = {"list": (VIEW, MANAGE), "retrieve": (VIEW, MANAGE),
                            "preview": (VIEW, MANAGE), "create": MANAGE,
                            "partial_update": MANAGE, "retire": MANAGE}

    @extend_schema(summary="新建规则", request=RuleInputSerializer,
                   responses={201: RuleSerializer})
    def create(self, request, *args, **kwargs):
        data = self.read_input()
        data.pop("expected_version", None)
        return self.respond(actions.save_rule(None, **data, actor=request.user),
                            status=status.HTTP_201_CREATED)

    @extend_schema(summary="修改规则", request=RuleInputSerializer,
                   responses={200: RuleSerializer, 409: RuleConflictSerializer})
    def partial_update(self, request, *args, **kwargs):
        rule = self.get_object()
        data = self.read_input(partial=True)
        values = {**actions.rule_state(rule)}
        values.pop("version")
        values.update(data)
        try:
            saved = actions.save_rule(rule, **values, actor=request.user)
        except actions.StaleVersion as exc:
            return _conflict(exc, request)
        return self.respond(saved)

    @extend_schema(summary="停用规则", request=RuleRetireInputSerializer,
                   responses={200: RuleSerializer, 409: RuleConflictSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        rule = self.get_object()
        serializer = RuleRetireInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            saved = actions.retire_rule(rule, actor=request.user, **serializer.validated_data)
        except actions.StaleVersion as exc:
            return _conflict(exc, request)
        return self.respond(saved)

    @extend_schema(summary="预览规则:现在会触发多少对象(限本人辖区),前 20 个及其数据项",
                   parameters=[OpenApiParameter("date", str, required=False,
                                                description="评估日期,默认今天")],
                   responses={200: PreviewSerializer})
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        import datetime as dt

        from django.core.exceptions import ValidationError

        rule = self.get_object()
        raw = request.query_params.get("date")
        try:
            today = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            raise ValidationError({"date": _("请填写有效日期,例如 2026-12-01。")}) from None
        return Response(PreviewSerializer(actions.preview_rule(
            rule, actor=request.user, today=today)).data)


class FiringViewSet(ScopedReadOnlyViewSet):
    """规则触发记录: which rule fired for whom, in which period, on which facts, inside the
    caller's areas (a person's name is masked for roles that do not see people)."""

    queryset = Firing.objects.select_related("rule")
    serializer_class = FiringSerializer
    filterset_class = FiringFilterSet
    required_permission = (VIEW, MANAGE)
    reads_narrowed_by_scope = True
