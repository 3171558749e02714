"""Events API: scoped list and detail, and one POST endpoint per workflow action.

``POST /api/events/{id}/<action>/`` (register, file, not_file, void, dispatch, claim, return,
request_extension, decide_extension, request_suspension, decide_suspension, resume,
complete, verify, resolve_on_spot, escalate, supervise, evaluate, release_held) takes the
action's fields and an optional ``version``; a stale version, or a state that no longer
allows the action, answers **409** ``{"errors": [...], "state": <current>, "version": n}``.

The endpoints, their input serializers and their permissions are built from the workflow
table (``workflow.TRANSITIONS``: each transition's ``needs`` and ``permission``), so a
transition added there is served here without code.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.core import personal_data
from gridgov.core.api import ScopedViewSetMixin

from .. import actions, evidence, trace
from ..filtersets import EventFilterSet
from ..models import Event, EventAttachment
from ..workflow import BOOL, FILES, INT, REPORTER, TRANSITIONS, available_actions


class EventListSerializer(serializers.ModelSerializer):
    """An event in lists: no description body, no personal data."""

    id = serializers.IntegerField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    # Null when the event has no category or department yet (declared so in the schema).
    category_code = serializers.CharField(source="category.code", default=None,
                                          allow_null=True, read_only=True)
    category_name = serializers.CharField(source="category.name", default=None,
                                          allow_null=True, read_only=True)
    department_name = serializers.CharField(source="department.name", default=None,
                                            allow_null=True, read_only=True)
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


class StepPositionSerializer(serializers.Serializer):
    """Where the device was when the step was taken (处置、核查 with a position fix)."""

    lng = serializers.FloatField(help_text="WGS-84")
    lat = serializers.FloatField(help_text="WGS-84")
    distance_m = serializers.IntegerField(help_text="距事件位置(米)")
    accuracy_m = serializers.IntegerField(allow_null=True, help_text="定位精度(米)")
    at = serializers.DateTimeField(allow_null=True, help_text="设备定位时间")
    radius_m = serializers.IntegerField(allow_null=True, help_text="取证规则的范围(米)")
    beyond = serializers.BooleanField(help_text="超出取证规则的范围")
    text = serializers.CharField(help_text="如“核查位置距事件 38 米(精度 ±12 米)”")


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
    position = StepPositionSerializer(allow_null=True)


class EvidenceNeedSerializer(serializers.Serializer):
    """What one step must carry under the event's class's evidence rule (取证规则)."""

    photo_required = serializers.BooleanField()
    place_required = serializers.BooleanField(
        help_text="须提交设备定位 lng/lat(WGS-84),距事件位置不超过 radius_m 米")
    radius_m = serializers.IntegerField()
    hint = serializers.CharField()


EvidenceSerializer = inline_serializer("EventEvidence", fields={
    "complete": EvidenceNeedSerializer(help_text="处置完毕、自行处置"),
    "verify": EvidenceNeedSerializer(help_text="核查"),
})


class EventDetailSerializer(EventListSerializer):
    """An event in full, with its timeline, the actions open to the reader now and the
    evidence its completion and verification need."""

    reporter_phone = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta(EventListSerializer.Meta):
        fields = EventListSerializer.Meta.fields + [
            "description", "lng", "lat", "grid_id", "reporter_name", "reporter_phone",
            "camera_code", "external_id", "merged_into_id", "deadline_note",
            "overdue_reason", "evaluation_score", "evaluation_comment", "timeline",
            "actions", "evidence"]

    def get_reporter_phone(self, obj) -> str:
        # The stored mask: the full number only through ``reveal-contact`` (audited).
        return obj.reporter_phone_masked

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, obj) -> list[dict]:
        return TimelineEntrySerializer(trace.timeline(obj), many=True).data

    @extend_schema_field(EvidenceSerializer)
    def get_evidence(self, obj) -> dict:
        out = {}
        for step in ("complete", "verify"):
            need = evidence.requirement(obj, step)
            out[step] = {"photo_required": need.photo, "place_required": need.place,
                         "radius_m": need.radius_m, "hint": need.hint}
        return out

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [t.action for t in available_actions(obj, request.user)]


def _input_field(needed):
    """The serializer field of one input of the workflow table. Every input is optional
    here; whether it is required (a refusal needs a remark) is the action's rule, answered
    as a 400 naming the field."""
    if needed.kind == BOOL:
        return serializers.BooleanField(required=False, default=False)
    if needed.kind == INT:
        return serializers.IntegerField(required=False)
    if needed.kind == FILES:
        return serializers.ListField(
            child=serializers.FileField(allow_empty_file=True), required=False,
            help_text="照片、录音、视频(multipart)。处置完毕、自行处置与核查按事件小类的取证规则"
                      "可能必须含照片(事件详情的 evidence 字段),缺少时 400 指明 attachments")
    if needed.name in ("lng", "lat"):
        return serializers.CharField(
            required=False, allow_blank=True, max_length=needed.max_length,
            help_text="设备定位(WGS-84);取证规则要求定位时必填,须在事件位置 radius_m 米内")
    return serializers.CharField(required=False, allow_blank=True,
                                 max_length=needed.max_length)


def transition_input_serializer(transition):
    """The input serializer of one transition: its ``needs`` and the optional ``version``
    (or ``expected_version``, as the field terminal's outbox names it)."""
    fields = {"version": serializers.IntegerField(required=False, min_value=1),
              "expected_version": serializers.IntegerField(
                  required=False, min_value=1,
                  help_text="同 version(移动终端离线队列的字段名);过期时 409")}
    fields.update({needed.name: _input_field(needed) for needed in transition.needs})
    name = "".join(part.title() for part in transition.action.split("_")) + "Input"
    return type(name, (serializers.Serializer,), {
        **fields, "__doc__": f"Input of “{transition.label}” ({transition.action})."})


INPUT_SERIALIZERS = {name: transition_input_serializer(TRANSITIONS[name])
                     for name in actions.PERFORMABLE}


class RevealContactInput(serializers.Serializer):
    """Why the caller needs the reporter's full phone (kept as the audit record's remark)."""

    reason = serializers.CharField(max_length=500)


RevealContactSerializer = inline_serializer("EventRevealContact", fields={
    "field": serializers.CharField(),
    "value": serializers.CharField(),
})


ConflictSerializer = inline_serializer("EventConflict", fields={
    "errors": serializers.ListField(child=serializers.DictField()),
    "state": serializers.CharField(),
    "version": serializers.IntegerField(),
    "current": EventDetailSerializer(help_text="事件当前的完整记录"),
})


def _make_transition(name):
    transition = TRANSITIONS[name]

    def handler(self, request, pk=None):
        return self.run_transition(request, name)

    handler.__name__ = f"transition_{name}"
    handler.__doc__ = f"{transition.label}: POST the action's fields and optionally version."
    # The schema goes on the finished action (``@action`` sets the kwargs it reads).
    routed = action(detail=True, methods=["post"], url_path=name,
                    url_name=name.replace("_", "-"))(handler)
    return extend_schema(summary=f"{transition.label}({name})", request=INPUT_SERIALIZERS[name],
                         responses={200: EventDetailSerializer, 409: ConflictSerializer})(routed)


class EventViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet):
    """Events within the principal's scope; out of scope answers 404 like a missing one."""

    queryset = Event.objects.all()
    filterset_class = EventFilterSet
    lookup_value_regex = r"\d+"
    # events.view is what Event.restrict_q keeps rows by: without it a caller reads like one
    # outside every area (empty list, 404), as the scope matrix requires.
    reads_narrowed_by_scope = True
    # Each transition needs its own permission; the reporter's rating needs none beyond
    # seeing the event (the action checks it is the reporter, or a holder in the area).
    required_permissions = {
        "list": "events.view", "retrieve": "events.view",
        **{f"transition_{name}": ("events.view" if TRANSITIONS[name].scope == REPORTER
                                  else TRANSITIONS[name].permission)
           for name in actions.PERFORMABLE},
        "reveal_contact": "events.see_contact",
    }

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

    def scope_action(self):
        # A reveal reads: whoever may see the event (and holds events.see_contact).
        return "view" if self.action == "reveal_contact" else super().scope_action()

    @extend_schema(summary="事件列表", responses={200: EventListSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="事件详情(含时间线)", responses={200: EventDetailSerializer})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(summary="查看上报人完整联系电话(需填写理由,记入审计)",
                   request=RevealContactInput, responses=RevealContactSerializer)
    @action(detail=True, methods=["post"], url_path="reveal-contact",
            url_name="reveal-contact")
    def reveal_contact(self, request, pk=None):
        """The reporter's full phone, for calling back: ``events.see_contact`` and a reason;
        audited (``personal_data.reveal``), never cached."""
        event = self.get_object()
        serializer = RevealContactInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        value = personal_data.reveal(event, "reporter_phone", actor=request.user,
                                     reason=serializer.validated_data["reason"])
        response = Response({"field": "reporter_phone", "value": value})
        response["Cache-Control"] = "no-store"
        return response

    def run_transition(self, request, name):
        event = self.get_object()
        serializer = INPUT_SERIALIZERS[name](data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("attachments", None)
        files = request.FILES.getlist("attachments") if hasattr(request, "FILES") else []
        try:
            event = actions.perform(name, event, actor=request.user, data=data,
                                    attachments=files,
                                    expected_version=data.get("version",
                                                              data.get("expected_version")))
        except actions.Conflict as exc:
            current = self.get_queryset().filter(pk=event.pk).first() or exc.event or event
            return Response({
                "errors": [{"field": None, "code": "conflict", "message": str(exc)}],
                "state": current.state, "version": current.version,
                "current": EventDetailSerializer(
                    current, context=self.get_serializer_context()).data,
            }, status=status.HTTP_409_CONFLICT)
        event = self.get_queryset().filter(pk=event.pk).first() or event
        return Response(EventDetailSerializer(event, context=self.get_serializer_context()).data)


for _name in actions.PERFORMABLE:
    setattr(EventViewSet, f"transition_{_name}", _make_transition(_name))


def register(router) -> None:
    """Add the events endpoints to the app's API router."""
    router.register("events", EventViewSet, basename="event")
