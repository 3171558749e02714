"""The visits API (/api/v1/): visits (list, detail, create), the overdue schedules, and the
plans (the administrator's).

Writes take multipart form fields (the field terminal's outbox) or JSON. A visit's
``client_id`` defaults to the request's ``Idempotency-Key`` when that is a UUID, so a retry
after a lost answer finds the first visit even after the idempotency record expired.
"""

import uuid

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.core.api import ActionViewSet, ScopedReadOnlyViewSet

from .. import actions
from ..models import Visit, VisitPlan, VisitSchedule
from ..permissions import MANAGE_PLANS, VIEW, VISIT
from .serializers import (
    RetireInputSerializer,
    VisitInputSerializer,
    VisitPlanConflictSerializer,
    VisitPlanInputSerializer,
    VisitPlanSerializer,
    VisitScheduleSerializer,
    VisitSerializer,
)

TRUE = ("1", "true", "on", "yes")


def _conflict(exc: actions.StaleVersion, request):
    return Response({"errors": [{"field": "expected_version", "code": "stale",
                                 "message": str(exc)}],
                     "current": VisitPlanSerializer(exc.current,
                                                    context={"request": request}).data},
                    status=status.HTTP_409_CONFLICT)


@extend_schema(parameters=[OpenApiParameter("person", int, required=False,
                                            description="一个人员的走访记录")])
class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """走访记录: the visits inside the caller's areas; create records one (multipart)."""

    queryset = Visit.objects.select_related("person").prefetch_related("photos")
    serializer_class = VisitSerializer
    input_serializer_class = VisitInputSerializer
    required_permissions = {"list": VIEW, "retrieve": VIEW, "create": VISIT}
    reads_narrowed_by_scope = True
    http_method_names = ["get", "post", "head", "options"]  # a visit is never edited

    def get_queryset(self):
        qs = super().get_queryset()
        person = self.request.query_params.get("person")
        if person and self.action == "list":
            qs = qs.filter(person_id=person if person.isdigit() else 0)
        return qs

    @extend_schema(summary="记录走访", request=VisitInputSerializer,
                   responses={201: VisitSerializer})
    def create(self, request, *args, **kwargs):
        from gridgov.basedata.models import Person

        data = self.read_input()
        # Only a person the caller may see: another area's person answers 404, like a
        # missing one (record_visit then checks the visit permission in the person's grid).
        person = get_object_or_404(Person.objects.restrict(request.user, "view"),
                                   pk=data.pop("person"))
        if data.get("client_id") is None:
            key = request.headers.get("Idempotency-Key", "")
            try:
                data["client_id"] = uuid.UUID(key) if key else None
            except ValueError:
                data["client_id"] = None
        visit = actions.record_visit(person, **data, actor=request.user)
        visit = self.queryset.get(pk=visit.pk)
        return self.respond(visit, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[
    OpenApiParameter("overdue", bool, required=False, description="只列逾期(下次应走访早于今天)"),
    OpenApiParameter("due_by", str, required=False, description="下次应走访不晚于该日期"),
    OpenApiParameter("person", int, required=False),
    OpenApiParameter("closed", bool, required=False, description="列出已关闭的排期")])
class VisitScheduleViewSet(ScopedReadOnlyViewSet):
    """走访排期: the governing open schedule of each person in care (one per person), due
    first; ``?overdue=true`` keeps the overdue ones."""

    queryset = VisitSchedule.objects.select_related("person", "plan__tag")
    serializer_class = VisitScheduleSerializer
    required_permission = VIEW
    reads_narrowed_by_scope = True

    def get_queryset(self):
        from gridgov.core.filters import parse_instant

        qs = super().get_queryset()
        params = self.request.query_params
        if params.get("closed", "").lower() in TRUE:
            qs = qs.filter(closed_at__isnull=False)
        elif params.get("person"):
            qs = qs.filter(closed_at__isnull=True)
        else:
            qs = qs.filter(closed_at__isnull=True, governing=True)
        if params.get("person"):
            qs = qs.filter(person_id=params["person"] if params["person"].isdigit() else 0)
        today = timezone.localdate()
        if params.get("overdue", "").lower() in TRUE:
            qs = qs.filter(next_due__lt=today)
        if params.get("due_by"):
            from rest_framework.exceptions import ValidationError

            try:
                due_by = timezone.localdate(parse_instant(params["due_by"]))
            except ValidationError:
                raise ValidationError({"due_by": [_("请填写有效日期,例如 2026-12-01。")]}) \
                    from None
            qs = qs.filter(next_due__lte=due_by)
        return qs.order_by("next_due", "id")


class VisitPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """走访计划: how often each care group is visited; the administrator edits them
    (``expected_version`` on changes: 409 with ``current`` when stale)."""

    queryset = VisitPlan.objects.select_related("tag")
    serializer_class = VisitPlanSerializer
    input_serializer_class = VisitPlanInputSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_permissions = {"list": (VIEW, MANAGE_PLANS), "retrieve": (VIEW, MANAGE_PLANS),
                            "create": MANAGE_PLANS, "partial_update": MANAGE_PLANS,
                            "retire": MANAGE_PLANS}

    def _tag(self, tag_id):
        from django.core.exceptions import ValidationError

        from gridgov.basedata.models import Tag

        tag = Tag.objects.filter(pk=tag_id).first()
        if tag is None:
            raise ValidationError({"tag": _("没有这个人群标签。")})
        return tag

    @extend_schema(summary="新建走访计划", request=VisitPlanInputSerializer,
                   responses={201: VisitPlanSerializer})
    def create(self, request, *args, **kwargs):
        data = self.read_input()
        data.pop("expected_version", None)
        data["tag"] = self._tag(data["tag"])
        return self.respond(actions.save_plan(None, **data, actor=request.user),
                            status=status.HTTP_201_CREATED)

    @extend_schema(summary="修改走访计划", request=VisitPlanInputSerializer,
                   responses={200: VisitPlanSerializer, 409: VisitPlanConflictSerializer})
    def partial_update(self, request, *args, **kwargs):
        plan = self.get_object()
        data = self.read_input(partial=True)
        values = {"tag": plan.tag, "area_code": plan.area_code,
                  "interval_days": plan.interval_days, "note": plan.note,
                  "is_active": plan.is_active}
        if "tag" in data:
            data["tag"] = self._tag(data["tag"])
        values.update(data)
        try:
            saved = actions.save_plan(plan, **values, actor=request.user)
        except actions.StaleVersion as exc:
            return _conflict(exc, request)
        return self.respond(saved)

    @extend_schema(summary="停用走访计划", request=RetireInputSerializer,
                   responses={200: VisitPlanSerializer, 409: VisitPlanConflictSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        plan = self.get_object()
        serializer = RetireInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            saved = actions.retire_plan(plan, actor=request.user, **serializer.validated_data)
        except actions.StaleVersion as exc:
            return _conflict(exc, request)
        return self.respond(saved)
