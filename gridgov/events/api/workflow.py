"""Events API: scoped list and detail, and one POST endpoint per workflow action.

``POST /api/events/{id}/<action>/`` (register, file, not_file, void, dispatch, claim, return,
request_extension, decide_extension, request_suspension, decide_suspension, resume,
complete, verify, resolve_on_spot, escalate, supervise, evaluate, release_held) takes the
action's fields and an optional ``version``; a stale version, or a state that no longer
allows the action, answers **409** ``{"errors": [...], "state": <current>, "version": n}``.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.accounts.actions import mask_phone
from gridgov.core.api import ScopedViewSetMixin

from .. import actions, trace
from ..filtersets import EventFilterSet
from ..models import Event, EventAttachment
from ..workflow import TRANSITIONS, available_actions


class EventListSerializer(serializers.ModelSerializer):
    """An event in lists: no description body, no personal data."""

    id = serializers.IntegerField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    category_code = serializers.CharField(source="category.code", default=None,
                                          read_only=True)
    category_name = serializers.CharField(source="category.name", default=None,
                                          read_only=True)
    department_name = serializers.CharField(source="department.name", default=None,
                                            read_only=True)
    deadline_status = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "number", "source", "nature", "urgency", "state", "state_label",
                  "category_code", "category_name", "address", "area_code", "level",
                  "department_name", "supervised", "resolved_on_spot", "stage_deadline",
                  "handle_deadline", "deadline_status", "version", "created_at",
                  "updated_at", "closed_at"]

    def get_deadline_status(self, obj) -> str:
        return getattr(obj, "deadline_status_value", None) or obj.deadline_status()


class TimelineEntrySerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    action = serializers.CharField()
    label = serializers.CharField()
    actor_name = serializers.CharField()
    # The person's real name, looked up when read ("" for API clients and the system);
    # actor_name stays the sealed audit name.
    actor_real_name = serializers.CharField()
    role = serializers.CharField()
    remark = serializers.CharField()
    to_state = serializers.CharField()
    consistent = serializers.BooleanField()


class EventDetailSerializer(EventListSerializer):
    """An event in full, with its timeline and the actions open to the reader now."""

    reporter_phone = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(EventListSerializer.Meta):
        fields = EventListSerializer.Meta.fields + [
            "description", "lng", "lat", "grid_id", "reporter_name", "reporter_phone",
            "camera_code", "external_id", "merged_into_id", "deadline_note",
            "overdue_reason", "evaluation_score", "evaluation_comment", "timeline",
            "actions"]

    def get_reporter_phone(self, obj) -> str:
        return mask_phone(obj.reporter_phone)

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, obj) -> list[dict]:
        return TimelineEntrySerializer(trace.timeline(obj), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [t.action for t in available_actions(obj, request.user)]


class TransitionInputSerializer(serializers.Serializer):
    """Input of any workflow action; each action reads the fields it needs."""

    version = serializers.IntegerField(required=False, min_value=1)
    remark = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    overdue_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    category = serializers.CharField(required=False, allow_blank=True, max_length=10)
    urgency = serializers.CharField(required=False, allow_blank=True, max_length=10)
    department = serializers.CharField(required=False, allow_blank=True, max_length=20)
    to_grid = serializers.BooleanField(required=False, default=False)
    days = serializers.IntegerField(required=False)
    approve = serializers.BooleanField(required=False, default=False)
    passed = serializers.BooleanField(required=False, default=False)
    score = serializers.IntegerField(required=False)


ConflictSerializer = inline_serializer("EventConflict", fields={
    "errors": serializers.ListField(child=serializers.DictField()),
    "state": serializers.CharField(),
    "version": serializers.IntegerField(),
})


def _make_transition(name):
    transition = TRANSITIONS[name]

    @extend_schema(summary=f"{transition.label}({name})", request=TransitionInputSerializer,
                   responses={200: EventDetailSerializer, 409: ConflictSerializer})
    def handler(self, request, pk=None):
        return self.run_transition(request, name)

    handler.__name__ = f"transition_{name}"
    handler.__doc__ = f"{transition.label}: POST the action's fields and optionally version."
    return action(detail=True, methods=["post"], url_path=name,
                  url_name=name.replace("_", "-"))(handler)


class EventViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet):
    """Events within the principal's scope; out of scope answers 404 like a missing one."""

    queryset = Event.objects.all()
    filterset_class = EventFilterSet
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        queryset = super().get_queryset().select_related("category", "department")
        if self.action == "list":
            queryset = queryset.defer("description", "evaluation_comment", "hold_reason")
        else:
            queryset = queryset.prefetch_related(
                "steps", Prefetch("attachments", queryset=EventAttachment.objects.all()))
        return queryset

    def get_serializer_class(self):
        return EventListSerializer if self.action == "list" else EventDetailSerializer

    @extend_schema(summary="事件列表", responses={200: EventListSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="事件详情(含时间线)", responses={200: EventDetailSerializer})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    def run_transition(self, request, name):
        event = self.get_object()
        serializer = TransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        files = request.FILES.getlist("attachments") if hasattr(request, "FILES") else []
        try:
            event = actions.perform(name, event, actor=request.user, data=data,
                                    attachments=files,
                                    expected_version=data.get("version"))
        except actions.Conflict as exc:
            current = exc.event or Event.objects.get(pk=event.pk)
            return Response({
                "errors": [{"field": None, "code": "conflict", "message": str(exc)}],
                "state": current.state, "version": current.version,
            }, status=status.HTTP_409_CONFLICT)
        event = self.get_queryset().filter(pk=event.pk).first() or event
        return Response(EventDetailSerializer(event, context=self.get_serializer_context()).data)


for _name in actions.PERFORMABLE:
    setattr(EventViewSet, f"transition_{_name}", _make_transition(_name))


def register(router) -> None:
    """Add the events endpoints to the app's API router."""
    router.register("events", EventViewSet, basename="event")
