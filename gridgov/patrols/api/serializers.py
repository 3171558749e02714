"""Serializers of the patrols API: the patrol as read, and the inputs of start, points, stop."""

import datetime as dt
import json

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Patrol


class PatrolSerializer(serializers.ModelSerializer):
    """A patrol: who, where, when, how long and how far (no track)."""

    worker_name = serializers.SerializerMethodField()
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    end_kind = serializers.CharField(
        read_only=True, help_text=_("结束方式:stopped 网格员结束,auto 超时自动结束;进行中为空"))
    distance_km = serializers.SerializerMethodField()
    elapsed_s = serializers.SerializerMethodField()

    class Meta:
        model = Patrol
        fields = ["id", "client_id", "worker", "worker_name", "area_code", "state",
                  "state_display", "end_kind", "started_at", "ended_at", "duration_s",
                  "elapsed_s", "distance_m", "distance_km", "point_count", "start_lng",
                  "start_lat", "end_lng", "end_lat", "last_lng", "last_lat", "last_at",
                  "created_at", "updated_at"]
        read_only_fields = fields

    def get_worker_name(self, obj) -> str:
        return obj.worker.real_name or obj.worker.username

    def get_distance_km(self, obj) -> float:
        return round(obj.distance_m / 1000, 2)

    def get_elapsed_s(self, obj) -> int:
        return obj.elapsed_s()


class PatrolDetailSerializer(PatrolSerializer):
    """A patrol with its kept track ``[[lng, lat, accuracy_m, unix_ms], …]`` and the events
    found on it."""

    track = serializers.SerializerMethodField()
    events_found = serializers.SerializerMethodField()
    kept = serializers.SerializerMethodField()

    class Meta(PatrolSerializer.Meta):
        fields = PatrolSerializer.Meta.fields + ["track", "events_found", "kept"]
        read_only_fields = fields

    @extend_schema_field({"type": "array", "items": {"type": "array", "items": {
        "type": "number"}}})
    def get_track(self, obj):
        return [[p.lng, p.lat, p.accuracy_m, int(p.at.timestamp() * 1000)]
                for p in obj.points.order_by("at")]

    @extend_schema_field({"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "number": {"type": "string"},
        "seen_at": {"type": "string", "format": "date-time"}}}})
    def get_events_found(self, obj):
        from ..queries import events_found

        request = self.context.get("request")
        user = getattr(request, "user", None)
        return [{"id": e.pk, "number": e.number, "seen_at": e.seen.isoformat()}
                for e in events_found(obj, user)]

    def get_kept(self, obj) -> int | None:
        """How many points of the batch just sent were kept (the points call only)."""
        return getattr(obj, "kept", None)


class StartInputSerializer(serializers.Serializer):
    client_id = serializers.UUIDField(help_text=_("终端生成的巡查编号(UUID)"))
    started_at = serializers.DateTimeField(required=False, allow_null=True,
                                           help_text=_("开始时间(终端时间),默认收到时"))
    lng = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    accuracy_m = serializers.FloatField(required=False, allow_null=True, min_value=0)


@extend_schema_field(OpenApiTypes.STR)
class PointsField(serializers.Field):
    """``[[lng, lat, accuracy_m, unix_ms], …]``: a JSON string (a form field) or a JSON list."""

    default_error_messages = {
        "json": _("须为 JSON 数组,例如 [[121.55, 29.87, 8, 1764547200000]]。"),
        "point": _("第 %(n)s 个点须为 [经度, 纬度, 精度(米), 时间(毫秒)]。"),
        "range": _("第 %(n)s 个点的经纬度超出范围。"),
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("json")
        if not isinstance(data, list):
            self.fail("json")
        out = []
        for n, item in enumerate(data, 1):
            if (not isinstance(item, list | tuple) or len(item) != 4
                    or not all(isinstance(v, int | float) and not isinstance(v, bool)
                               for v in (item[0], item[1], item[3]))
                    or not (item[2] is None or (isinstance(item[2], int | float)
                                                and not isinstance(item[2], bool)))):
                raise serializers.ValidationError(self.error_messages["point"] % {"n": n})
            lng, lat, acc, ms = item
            if not (-180 <= lng <= 180 and -90 <= lat <= 90) or ms < 0 or ms > 4e12:
                raise serializers.ValidationError(self.error_messages["range"] % {"n": n})
            at = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).astimezone(
                timezone.get_current_timezone())
            out.append((float(lng), float(lat), None if acc is None else float(acc), at))
        return out

    def to_representation(self, value):
        return value


class PointsInputSerializer(serializers.Serializer):
    points = PointsField(help_text=_("JSON 字符串:[[经度, 纬度, 精度(米), 时间(毫秒)], …]"))


class StopInputSerializer(serializers.Serializer):
    ended_at = serializers.DateTimeField(required=False, allow_null=True,
                                         help_text=_("结束时间(终端时间),默认收到时"))
    lng = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)


class ConflictSerializer(serializers.Serializer):
    errors = serializers.ListField(child=serializers.DictField())
    current = PatrolSerializer()
