"""Serializers of the camera registry's API. Stream endpoints appear only in the owner's
managers' answers (``CameraManagerSerializer``): for everybody else a camera is opened
through the live view's signed link, never its platform address."""

from django.urls import reverse
from rest_framework import serializers

from ..choices import CameraKind, CameraStatus, SharingType
from ..models import Camera, CameraGrant


class CameraSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.code", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    sharing_label = serializers.CharField(source="get_sharing_type_display", read_only=True)
    url = serializers.SerializerMethodField()
    distance_m = serializers.SerializerMethodField()

    class Meta:
        model = Camera
        fields = ["code", "name", "owner", "owner_name", "kind", "kind_label", "lng", "lat",
                  "place", "area_code", "status", "status_label", "status_changed_at",
                  "sharing_type", "sharing_label", "sharing_condition", "legal_basis",
                  "installed_on", "is_active", "updated_at", "url", "distance_m"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return reverse("video:camera", args=[obj.code])

    def get_distance_m(self, obj) -> int | None:
        """Metres from the ``near`` point of the request (null without one)."""
        near = self.context.get("near")
        if not near:
            return None
        from ..nearby import haversine_m

        return int(round(float(haversine_m(near[0], near[1], obj.lng, obj.lat))))


class CameraManagerSerializer(CameraSerializer):
    class Meta(CameraSerializer.Meta):
        fields = [*CameraSerializer.Meta.fields, "rtsp_url", "hls_url", "webrtc_url"]
        read_only_fields = fields


class CameraInputSerializer(serializers.Serializer):
    """Register: every field; update (PATCH): any of them but the code."""

    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=CameraKind.choices, required=False)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    crs = serializers.ChoiceField(choices=[("wgs84", "wgs84"), ("gcj02", "gcj02")],
                                  required=False, default="wgs84")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=CameraStatus.choices, required=False)
    sharing_type = serializers.ChoiceField(choices=SharingType.choices, required=False)
    sharing_condition = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    legal_basis = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    installed_on = serializers.DateField(required=False, allow_null=True)
    rtsp_url = serializers.CharField(max_length=500, required=False, allow_blank=True)
    hls_url = serializers.CharField(max_length=500, required=False, allow_blank=True)
    webrtc_url = serializers.CharField(max_length=500, required=False, allow_blank=True)


class CameraUpdateSerializer(CameraInputSerializer):
    code = None
    status = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("code", None)
        self.fields.pop("status", None)


class CameraStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CameraStatus.choices)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class CameraGrantSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.code", read_only=True)
    camera = serializers.CharField(source="camera.code", read_only=True, allow_null=True,
                                   default=None)
    grantee_department = serializers.CharField(source="grantee_department.code",
                                               read_only=True, allow_null=True, default=None)
    active = serializers.SerializerMethodField()

    class Meta:
        model = CameraGrant
        fields = ["id", "owner", "camera", "grantee_department", "grantee_role", "reason",
                  "granted_at", "revoked_at", "revoke_reason", "active"]
        read_only_fields = fields

    def get_active(self, obj) -> bool:
        return obj.revoked_at is None


class CameraGrantInputSerializer(serializers.Serializer):
    camera = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                   help_text="摄像头国标编码;留空表示本部门全部有条件共享的摄像头")
    department = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                       help_text="被授权部门编码")
    role = serializers.CharField(max_length=40, required=False, allow_blank=True,
                                 help_text="被授权角色编码")
    reason = serializers.CharField(max_length=200)
