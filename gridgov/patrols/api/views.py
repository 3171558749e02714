"""The patrols API under /api/v1/patrols/: list and detail (``updated_since``), start, track
points and stop, each write keyed by the patrol's device-made ``client_id``.

Writes accept JSON or form fields (the field terminal's outbox sends multipart); errors are
the shared shape; a second active patrol answers 409 with the active one under ``current``.
"""

import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from gridgov.core.api import ActionViewSet
from gridgov.core.middleware import JSONParser

from .. import actions
from ..choices import PatrolState
from ..models import Patrol
from ..permissions import PATROL, VIEW
from . import serializers as s


class PatrolFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=PatrolState.choices)
    worker = django_filters.NumberFilter(field_name="worker_id")
    area = django_filters.CharFilter(field_name="area_code", lookup_expr="startswith")
    started_after = django_filters.IsoDateTimeFilter(field_name="started_at",
                                                      lookup_expr="gte")
    started_before = django_filters.IsoDateTimeFilter(field_name="started_at",
                                                       lookup_expr="lt")

    class Meta:
        model = Patrol
        fields = ["state", "worker", "area", "started_after", "started_before"]


# ActionViewSet routes partial_update; patrols are changed only by start, points and stop.
@extend_schema_view(partial_update=extend_schema(exclude=True))
class PatrolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """巡查: the caller's own patrols and those of the areas they oversee."""

    queryset = Patrol.objects.select_related("worker")
    serializer_class = s.PatrolDetailSerializer
    input_serializer_class = s.StartInputSerializer
    filterset_class = PatrolFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_field = "client_id"
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"
    required_permissions = {"list": (PATROL, VIEW), "retrieve": (PATROL, VIEW),
                            "create": PATROL, "points": PATROL, "stop": PATROL}

    def get_serializer_class(self):
        return s.PatrolSerializer if self.action == "list" else s.PatrolDetailSerializer

    def get_object(self):
        # A client id is unique per worker: the caller's own patrol first, else the first.
        qs = self.get_queryset().filter(client_id=self.kwargs[self.lookup_field])
        obj = (qs.filter(worker_id=self.request.user.pk).first()
               or qs.order_by("id").first())
        if obj is None:
            raise Http404
        self.check_object_permissions(self.request, obj)
        return obj

    def _conflict(self, exc):
        return Response({
            "errors": [{"field": None, "code": "conflict", "message": str(exc)}],
            "current": s.PatrolSerializer(exc.patrol, context=self.get_serializer_context()).data
            if exc.patrol else None,
        }, status=status.HTTP_409_CONFLICT)

    @extend_schema(request=s.StartInputSerializer,
                   responses={201: s.PatrolDetailSerializer, 200: s.PatrolDetailSerializer,
                              409: s.ConflictSerializer})
    def create(self, request, *args, **kwargs):
        """开始巡查. The same ``client_id`` again answers its patrol (200)."""
        data = self.read_input()
        known = Patrol.objects.filter(worker_id=request.user.pk,
                                      client_id=data["client_id"]).exists()
        try:
            patrol = actions.start_patrol(**data, actor=request.user)
        except actions.Conflict as exc:
            return self._conflict(exc)
        return self.respond(patrol, status=200 if known else 201)

    @extend_schema(request=s.PointsInputSerializer, responses=s.PatrolDetailSerializer)
    @action(detail=True, methods=["post"])
    def points(self, request, client_id=None):
        """上传轨迹点 (a batch; sampled on the server; a batch sent again adds nothing)."""
        patrol = self.get_object()
        serializer = s.PointsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        patrol = actions.add_points(patrol, points=serializer.validated_data["points"],
                                    actor=request.user)
        return self.respond(patrol)

    @extend_schema(request=s.StopInputSerializer, responses=s.PatrolDetailSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, client_id=None):
        """结束巡查 (an ended patrol answers as it is)."""
        patrol = self.get_object()
        serializer = s.StopInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        patrol = actions.stop_patrol(patrol, **serializer.validated_data, actor=request.user)
        return self.respond(patrol)
