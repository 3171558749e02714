"""The tasks API (/api/v1/tasks/): list, detail, create (assign) and the task's steps.

Writes take multipart form fields (the field terminal's outbox) or JSON; updates take
``expected_version`` and answer 409 with the task as it stands under ``current`` when
someone else changed it meanwhile or its state does not allow the step.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.core.access import get_scope
from gridgov.core.api import ActionViewSet

from .. import actions, dispatching
from ..filtersets import TaskFilterSet
from ..lookups import find_assignee, find_target
from ..models import Task, TaskAttachment, TaskStep
from .serializers import (
    AcceptInput,
    CancelInput,
    CandidateSerializer,
    CompleteInput,
    ReassignInput,
    TaskCreateInput,
    TaskDetailSerializer,
    TaskSerializer,
)

ConflictSerializer = inline_serializer("TaskConflict", fields={
    "errors": serializers.ListField(child=serializers.DictField()),
    "current": TaskSerializer(),
})


def create_task(*, actor, grid="", event="", person=None, house=None, assignee=None, **data):
    """The API's create: resolve the codes and ids the caller sent within their scope."""
    targets = find_target(actor, grid=grid, event=event, person=person, house=house)
    return actions.assign_task(**data, **targets, assignee=find_assignee(assignee),
                               actor=actor)


class TaskViewSet(ActionViewSet):
    """指挥任务: the command room assigns (named or nearest on duty), the grid worker accepts
    and reports back. Out of scope answers 404."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Task.objects.all()
    serializer_class = TaskSerializer
    input_serializer_class = TaskCreateInput
    create_action = staticmethod(create_task)
    filterset_class = TaskFilterSet
    lookup_value_regex = r"\d+"
    required_permissions = {
        "list": ("tasks.view", "tasks.work"), "retrieve": ("tasks.view", "tasks.work"),
        "on_duty": "tasks.assign", "create": "tasks.assign", "cancel": "tasks.assign",
        "reassign": "tasks.assign", "accept": "tasks.work", "complete": "tasks.work",
    }

    def get_queryset(self):
        qs = super().get_queryset().select_related("grid", "event", "assignee").prefetch_related(
            Prefetch("attachments", queryset=TaskAttachment.objects.order_by("id")))
        if self.action == "retrieve":
            qs = qs.prefetch_related(Prefetch(
                "steps", queryset=TaskStep.objects.select_related("actor", "assignee")))
        return qs

    def get_serializer_class(self):
        return TaskDetailSerializer if self.action != "list" else TaskSerializer

    def _answer(self, task, code=200):
        task = self.get_queryset().model.objects.select_related(
            "grid", "event", "assignee").prefetch_related(
            "attachments", Prefetch("steps", queryset=TaskStep.objects.select_related(
                "actor", "assignee"))).get(pk=task.pk)
        return Response(TaskDetailSerializer(task, context=self.get_serializer_context()).data,
                        status=code)

    def _step(self, request, input_class, call):
        task = self.get_object()
        serializer = input_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("expected_version", None)
        try:
            task = call(task, data, version)
        except actions.Conflict as exc:
            current = exc.task or Task.objects.get(pk=task.pk)
            return Response({
                "errors": [{"field": None, "code": "conflict", "message": str(exc)}],
                "current": TaskSerializer(current, context=self.get_serializer_context()).data,
            }, status=status.HTTP_409_CONFLICT)
        return self._answer(task)

    @extend_schema(summary="任务列表")
    def list(self, request, *args, **kwargs):
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary="任务详情(含记录)", responses={200: TaskDetailSerializer})
    def retrieve(self, request, *args, **kwargs):
        return Response(TaskDetailSerializer(self.get_object(),
                                             context=self.get_serializer_context()).data)

    @extend_schema(summary="派发任务(指定网格员或最近的在岗网格员)", request=TaskCreateInput,
                   responses={201: TaskDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = self.read_input()
        return self._answer(create_task(**data, actor=request.user), code=201)

    @extend_schema(summary="接收任务", request=AcceptInput,
                   responses={200: TaskDetailSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._step(request, AcceptInput, lambda task, data, version: actions.accept_task(
            task, actor=request.user, expected_version=version))

    @extend_schema(summary="完成并回报(说明、照片、位置)", request=CompleteInput,
                   responses={200: TaskDetailSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        def call(task, data, version):
            data["photos"] = request.FILES.getlist("photos") if request.FILES else data.get(
                "photos", [])
            return actions.complete_task(task, **data, actor=request.user,
                                         expected_version=version)
        return self._step(request, CompleteInput, call)

    @extend_schema(summary="取消任务", request=CancelInput,
                   responses={200: TaskDetailSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._step(request, CancelInput, lambda task, data, version: actions.cancel_task(
            task, reason=data["reason"], actor=request.user, expected_version=version))

    @extend_schema(summary="改派任务", request=ReassignInput,
                   responses={200: TaskDetailSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        def call(task, data, version):
            return actions.reassign_task(
                task, assignee=find_assignee(data.get("assignee")), nearest=data["nearest"],
                note=data["note"], actor=request.user, expected_version=version)
        return self._step(request, ReassignInput, call)

    @extend_schema(summary="在岗网格员及其与任务点的距离(力量调度)",
                   parameters=[OpenApiParameter("grid", str, required=True,
                                                description="网格编码"),
                               OpenApiParameter("lng", float, required=False),
                               OpenApiParameter("lat", float, required=False)],
                   responses={200: CandidateSerializer(many=True)})
    @action(detail=False, methods=["get"], url_path="on-duty", pagination_class=None,
            filter_backends=[])
    def on_duty(self, request):
        targets = find_target(request.user, grid=request.query_params.get("grid", ""))
        grid = targets["grid"]
        if grid is None:
            raise ValidationError({"grid": _("请选择网格。")})
        scope = get_scope(request.user)
        if not scope.covers(grid.code, "tasks.assign"):
            raise ValidationError({"grid": _("该网格不在您的辖区内。")})
        params = request.query_params
        point = actions.parse_point(params.get("lng"), params.get("lat"))
        found = dispatching.candidates(grid.code, point or (grid.centroid_lng,
                                                            grid.centroid_lat))
        return Response(CandidateSerializer(found, many=True).data)
