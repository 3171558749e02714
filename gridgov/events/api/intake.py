"""The intake API: report an event, post hotline records, see likely duplicates.

- ``POST /api/events/report/``: a signed-in user or a department API key reports an event.
  The channel follows from the principal's permissions (``events.report_patrol``: 网格巡查;
  ``events.report_video`` with a ``camera_code``: 视频巡查; ``events.transfer``: 部门移交;
  ``events.instruct``: 领导交办, in that order) or from an explicit ``source``; the channel
  checks its permission again. JSON or multipart (files in ``attachments``). ``crs`` is ``wgs84``
  (default) or ``gcj02``; the stored and returned point is WGS-84.
  ``Idempotency-Key`` header: the first request answers 201; a retry with the same key (per
  principal) and the same body answers 200 with the same event, however often; the same key
  with a different body answers **422** (``idempotency_key_reused``), as the IETF
  Idempotency-Key draft recommends (409 stays reserved for workflow conflicts).
  ``observed_at``: when the problem was seen (the device's time; at most 5 minutes ahead of
  the receipt, at most 7 days before it). The grid patrol channel (the field terminal) also
  takes ``accuracy_m`` and ``position_corrected`` and may resolve the event on the spot in
  the same request: ``resolved_on_spot=true`` with ``resolution`` and ``after_photos``.
- ``POST /api/events/hotline/``: 81890 / 12345 records as JSON (``{"records": [...]}`` or a
  list); every record is validated, the valid ones are created together, each bad field is
  reported with its record number; idempotent by (line, work-order number).
- ``GET /api/events/{id}/duplicates/``: likely duplicates of an event the principal may see.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from gridgov.core.access import get_scope
from gridgov.core.api import Unprocessable
from gridgov.core.api_throttle import ImportRateThrottle, PrincipalRateThrottle

from .. import duplicates
from ..actions import hotline, intake
from ..choices import Nature, Source, Urgency
from ..models import Event

API_SOURCES = (Source.GRID_PATROL, Source.DEPT_TRANSFER, Source.VIDEO_PATROL,
               Source.LEADER_INSTRUCTION)


class ReportInputSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=[(s, Source(s).label) for s in API_SOURCES],
                                     required=False)
    description = serializers.CharField(max_length=intake.DESCRIPTION_MAX)
    lng = serializers.FloatField()
    lat = serializers.FloatField()
    crs = serializers.ChoiceField(choices=intake.CRS_CHOICES, default="wgs84")
    category = serializers.CharField(required=False, allow_blank=True, max_length=10,
                                     help_text="事件小类编码")
    nature = serializers.ChoiceField(choices=Nature.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    camera_code = serializers.CharField(required=False, allow_blank=True, max_length=30,
                                        help_text="视频巡查:GB/T 28181 20 位设备编码")
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    attachments = serializers.ListField(child=serializers.FileField(), required=False,
                                        help_text="照片、录音、视频(multipart)")
    observed_at = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text="发现时间(设备时间;不晚于收到后 5 分钟,不早于 7 天前;默认收到时间)")
    accuracy_m = serializers.FloatField(required=False, allow_null=True,
                                        help_text="网格巡查:设备定位精度(米)")
    position_corrected = serializers.BooleanField(
        required=False, default=False, help_text="网格巡查:位置经手动校正")
    resolved_on_spot = serializers.BooleanField(
        required=False, default=False,
        help_text="网格巡查:已自行处置(与上报一并记入自行处置环节)")
    resolution = serializers.CharField(required=False, allow_blank=True,
                                       max_length=intake.RESOLUTION_MAX,
                                       help_text="自行处置:处置情况")
    after_photos = serializers.ListField(child=serializers.FileField(), required=False,
                                         help_text="自行处置:处置后照片(multipart)")


# Inputs only the grid patrol channel takes (a device in the field).
GRID_ONLY = ("accuracy_m", "position_corrected", "resolved_on_spot", "resolution",
             "after_photos")


class IntakeEventSerializer(serializers.Serializer):
    """An event as its reporter gets it back (contact masked unless the caller calls back).

    Documents the response; ``intake_event_payload`` builds it (a plain dict: building this
    serializer's fields per request cost a tenth of an intake request).
    """

    id = serializers.IntegerField()
    number = serializers.CharField()
    source = serializers.ChoiceField(choices=Source.choices)
    state = serializers.CharField()
    nature = serializers.ChoiceField(choices=Nature.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    category = serializers.CharField(allow_null=True, help_text="事件小类编码")
    description = serializers.CharField()
    lng = serializers.FloatField()
    lat = serializers.FloatField()
    address = serializers.CharField()
    grid = serializers.CharField(help_text="所属网格编码")
    camera_code = serializers.CharField()
    external_id = serializers.CharField()
    reporter_name = serializers.CharField()
    reporter_phone = serializers.CharField()
    created_at = serializers.DateTimeField()
    observed_at = serializers.DateTimeField(allow_null=True, help_text="发现时间")
    accuracy_m = serializers.FloatField(allow_null=True, help_text="定位精度(米)")
    resolved_on_spot = serializers.BooleanField()


_DATETIME = serializers.DateTimeField()


def intake_event_payload(event, user) -> dict:
    """The body of ``IntakeEventSerializer`` for ``event`` as ``user`` may see it."""
    return {
        "id": event.pk, "number": event.number, "source": event.source, "state": event.state,
        "nature": event.nature, "urgency": event.urgency,
        "category": event.category.code if event.category_id else None,
        "description": event.description, "lng": event.lng, "lat": event.lat,
        "address": event.address, "grid": event.area_code, "camera_code": event.camera_code,
        "external_id": event.external_id, "reporter_name": event.reporter_name,
        "reporter_phone": intake.contact_display(event, user),
        "created_at": _DATETIME.to_representation(event.created_at),
        "observed_at": (_DATETIME.to_representation(event.observed_at)
                        if event.observed_at else None),
        "accuracy_m": event.accuracy_m, "resolved_on_spot": event.resolved_on_spot,
    }


class HotlineRecordSerializer(serializers.Serializer):
    external_id = serializers.CharField(help_text="热线工单编号")
    line = serializers.ChoiceField(choices=["81890", "12345"])
    description = serializers.CharField()
    lng = serializers.FloatField()
    lat = serializers.FloatField()
    crs = serializers.ChoiceField(choices=intake.CRS_CHOICES, required=False)
    address = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    nature = serializers.CharField(required=False)
    urgency = serializers.CharField(required=False)
    reporter_name = serializers.CharField(required=False)
    reporter_phone = serializers.CharField(required=False)


class HotlineInputSerializer(serializers.Serializer):
    records = HotlineRecordSerializer(many=True)


class RowRefSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    id = serializers.IntegerField()
    number = serializers.CharField()


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    field = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()


class HotlineResultSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    created = RowRefSerializer(many=True)
    existing = RowRefSerializer(many=True)
    held = RowRefSerializer(many=True)
    errors = RowErrorSerializer(many=True)


class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="event.pk")
    number = serializers.CharField(source="event.number")
    state = serializers.CharField(source="event.state")
    description = serializers.CharField(source="event.description")
    created_at = serializers.DateTimeField(source="event.created_at")
    distance_m = serializers.FloatField()
    hours_apart = serializers.FloatField()
    text_similarity = serializers.FloatField()
    score = serializers.FloatField()


# Each API channel and the permission it needs, in the order a report without an explicit
# ``source`` tries them (a grid worker's report is a patrol even with a camera code).
CHANNEL_PERMISSIONS = {
    Source.GRID_PATROL: "events.report_patrol",
    Source.VIDEO_PATROL: "events.report_video",
    Source.DEPT_TRANSFER: "events.transfer",
    Source.LEADER_INSTRUCTION: "events.instruct",
}


def _channel(principal, source, camera_code) -> str:
    """The intake channel of an API report: as asked, or the first one the principal's
    permissions open (video patrol only with a camera code)."""
    if source:
        return source
    scope = get_scope(principal)
    for channel, permission in CHANNEL_PERMISSIONS.items():
        if channel == Source.VIDEO_PATROL and not camera_code:
            continue
        if scope.can(permission):
            return channel
    raise exceptions.PermissionDenied(_("您的角色不能通过接口上报事件。"))


def _grid_only_given(data, after_files) -> list:
    """The grid-patrol-only inputs a request gave (a false flag or an empty text counts as
    not given)."""
    given = [f for f in GRID_ONLY if f != "after_photos"
             and str(data.get(f, "") or "").strip().lower() not in ("", "false", "0", "off")]
    return given + (["after_photos"] if after_files else [])


def _key_reused(exc) -> Unprocessable:
    return Unprocessable({"Idempotency-Key": [
        exceptions.ErrorDetail(str(exc), code="idempotency_key_reused")]})


class EventIntakeViewSet(viewsets.ViewSet):
    """Intake endpoints under ``/api/events/`` (see the module docstring)."""

    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    required_permissions = {
        "report": tuple(CHANNEL_PERMISSIONS.values()),
        "hotline": "events.record_hotline",
        # Likely duplicates of an event the caller may see (scope narrows the candidates).
        "duplicates": "events.view",
    }

    @extend_schema(
        summary="上报事件(网格员、部门、领导、视频巡查)",
        request=ReportInputSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                     required=False,
                                     description="幂等键(1–80 个可见 ASCII 字符),按调用方区分")],
        responses={201: IntakeEventSerializer,
                   200: OpenApiResponse(IntakeEventSerializer, description="同一幂等键的重试"),
                   422: OpenApiResponse(description="同一幂等键用于内容不同的请求")},
    )
    @action(detail=False, methods=["post"], url_path="report")
    def report(self, request):
        data = ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        files = request.FILES.getlist("attachments") if request.FILES else []
        after = request.FILES.getlist("after_photos") if request.FILES else []
        values.pop("attachments", None)
        values.pop("after_photos", None)
        source = _channel(request.user, values.pop("source", None),
                          values.get("camera_code", ""))
        kwargs = dict(actor=request.user, description=values["description"],
                      lng=values["lng"], lat=values["lat"], crs=values["crs"],
                      category=values.get("category") or None, urgency=values.get("urgency"),
                      address=values.get("address", ""), uploads=files,
                      idempotency_key=request.headers.get("Idempotency-Key"),
                      observed_at=values.get("observed_at"))
        if source == Source.GRID_PATROL:
            kwargs.update(nature=values.get("nature") or Nature.REQUEST,
                          accuracy_m=values.get("accuracy_m"),
                          position_corrected=values.get("position_corrected", False),
                          resolved_on_spot=values.get("resolved_on_spot", False),
                          resolution=values.get("resolution", ""), after_uploads=after)
            func = intake.report_by_grid_worker
        elif _grid_only_given(request.data, after):
            raise exceptions.ValidationError({
                field: [_("只有网格巡查上报可以提供此项。")]
                for field in _grid_only_given(request.data, after)})
        elif source == Source.DEPT_TRANSFER:
            kwargs.update(nature=values.get("nature") or Nature.REQUEST,
                          external_id=values.get("external_id", ""))
            func = intake.transfer_from_department
        elif source == Source.VIDEO_PATROL:
            kwargs["camera_code"] = values.get("camera_code", "")
            func = intake.record_video_patrol
        else:
            func = intake.record_leader_instruction
        try:
            result = func(**kwargs)
        except intake.IdempotencyMismatch as exc:
            raise _key_reused(exc) from exc
        body = intake_event_payload(result.event, request.user)
        return Response(body, status=status.HTTP_201_CREATED if result.created
                        else status.HTTP_200_OK)

    @extend_schema(
        summary="导入热线工单(81890 / 12345)",
        request=HotlineInputSerializer,
        responses={201: HotlineResultSerializer,
                   200: OpenApiResponse(HotlineResultSerializer,
                                        description="没有新建(全部已导入过)")},
    )
    # GRIDGOV_RATE_IMPORT per principal on top of the API's own rate, shared with the page.
    @action(detail=False, methods=["post"], url_path="hotline",
            throttle_classes=[PrincipalRateThrottle, ImportRateThrottle])
    def hotline(self, request):
        records = request.data.get("records") if isinstance(request.data, dict) else (
            request.data)
        if not isinstance(records, list) or not records:
            raise exceptions.ValidationError({"records": [_("请提供至少一条工单记录。")]})
        result = hotline.import_records(records, actor=request.user)
        if result.errors and not (result.created or result.existing):
            raise exceptions.ValidationError({f"records.{e.row}.{e.field}": [e.reason]
                                              for e in result.errors})
        return Response(result.as_dict(), status=status.HTTP_201_CREATED if result.created
                        else status.HTTP_200_OK)

    @extend_schema(summary="疑似重复事件", responses={200: DuplicateSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="duplicates")
    def duplicates(self, request, pk=None):
        event = get_object_or_404(Event.objects.restrict(request.user).select_related(
            "category"), pk=pk)
        found = duplicates.suggest(event, user=request.user)
        return Response(DuplicateSerializer(found, many=True).data)


def register(router) -> None:
    """Add the intake routes to the events API router, ahead of any ``events/{pk}/`` route
    (so ``events/report/`` is never taken for an event id)."""
    router.register("events", EventIntakeViewSet, basename="event-intake")
    router.registry.insert(0, router.registry.pop())
