"""The live view and video patrol API (included by ``video/api/urls.py``):

- ``POST /api/v1/video/cameras/{code}/live/`` ``{reason, event?}`` → 201
  ``{view_id, camera, url, expires_at}``: one logged, audited live view
  (``actions.live.open_live_view``); ``url`` is the signed HLS playlist, good until
  ``expires_at`` (``GRIDGOV_VIDEO_LINK_SECONDS``). A person's call only (the log names who
  watched): a department API key is refused with 403.
- ``POST /api/v1/video/cameras/{code}/report/`` (multipart: ``description``, ``snapshot``
  file, ``category``, ``urgency``; or JSON with ``snapshot`` as a ``data:image/…;base64,``
  URL) → 201 with the new event (``actions.patrol.report_from_camera``).

A camera the caller may not use is 404, as a camera that does not exist. Both take the
``Idempotency-Key`` header (the middleware replays the first answer: one view, one event).
"""

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from gridgov.core.api import ActionViewSet
from gridgov.core.middleware import JSONParser
from gridgov.core.querysets import VIEW
from gridgov.events.api.intake import IntakeEventSerializer, intake_event_payload
from gridgov.events.choices import Urgency

from .. import live
from ..actions.live import REASON_MAX, open_live_view
from ..actions.patrol import report_from_camera
from ..models import Camera
from ..permissions import USE


class CameraLiveInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text="调阅事由(必填)")
    event = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                     max_value=2**63 - 1,
                                     help_text="关联事件的 id(须为调用者可见的事件)")


class CameraLiveViewSerializer(serializers.Serializer):
    """One live view as its caller gets it: the signed link and until when it plays."""

    view_id = serializers.IntegerField(source="pk")
    camera = serializers.CharField(source="camera.code", help_text="摄像头国标编码")
    url = serializers.SerializerMethodField(help_text="签名的 HLS 播放列表地址(短时有效)")
    expires_at = serializers.DateTimeField(help_text="链接失效时间")
    reason = serializers.CharField()
    event = serializers.IntegerField(source="event_id", allow_null=True)

    def get_url(self, view) -> str:
        request = self.context.get("request")
        path = live.stream_url(view)
        return request.build_absolute_uri(path) if request is not None else path


@extend_schema_field({"type": "string", "format": "binary",
                      "description": "图片文件,或 data:image/…;base64,… 地址"})
class SnapshotField(serializers.Field):
    """An uploaded image, or (JSON) a ``data:image/…;base64,`` URL; checked by the action."""

    default_error_messages = {"required": _("请附上画面截图。")}

    def to_internal_value(self, data):
        if hasattr(data, "read") or isinstance(data, str):
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return None


class CameraReportInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=2000, help_text="问题描述")
    snapshot = SnapshotField(help_text="画面截图:图片文件(multipart)或 data:image/…;base64 地址")
    category = serializers.CharField(required=False, allow_blank=True, max_length=10,
                                     help_text="事件小类编码")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)


@extend_schema(tags=["video"])
class CameraLiveViewSet(ActionViewSet):
    """Open a camera's live view; file a video patrol event from it."""

    queryset = Camera.objects.select_related("owner")
    lookup_field = "code"
    serializer_class = CameraLiveViewSerializer
    input_serializer_class = CameraLiveInputSerializer
    required_permissions = {"live": USE, "report": USE}
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def scope_action(self) -> str:
        # Opening and reporting *use* a camera: the cameras one may use, not those one manages.
        return VIEW

    def get_input_serializer(self, **kwargs):
        cls = CameraReportInputSerializer if self.action == "report" else CameraLiveInputSerializer
        return cls(data=self.request.data, context=self.get_serializer_context())

    @extend_schema(request=CameraLiveInputSerializer, responses={201: CameraLiveViewSerializer},
                   summary="调阅摄像头实时画面(签名短时链接)")
    def live(self, request, code=None):
        camera = self.get_object()
        client_ip = live.client_ip(request)
        return self.run(lambda data: open_live_view(
            camera, actor=request.user, reason=data["reason"], event=data.get("event"),
            client_ip=client_ip), status=201)

    @extend_schema(request={"multipart/form-data": CameraReportInputSerializer,
                            "application/json": CameraReportInputSerializer},
                   responses={201: IntakeEventSerializer}, summary="视频巡查:从摄像头上报事件")
    def report(self, request, code=None):
        camera = self.get_object()
        data = self.read_input()
        result = report_from_camera(
            camera, actor=request.user, description=data["description"],
            snapshot=data["snapshot"], category=data.get("category") or None,
            urgency=data.get("urgency") or None)
        return Response(intake_event_payload(result.event, request.user), status=201)


urlpatterns = [
    path("cameras/<str:code>/live/", CameraLiveViewSet.as_view({"post": "live"}),
         name="video-camera-live"),
    path("cameras/<str:code>/report/", CameraLiveViewSet.as_view({"post": "report"}),
         name="video-camera-report"),
]
