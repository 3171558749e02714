"""Representations of the current user, departments and API keys.

Phones are masked (138****5678, PIPL art. 6); API keys are shown by prefix, and the raw key
only in the response that issues it.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from gridgov.areas.models import Area

from ..models import ApiKey, Department


class AreaBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["code", "name", "level"]


class DepartmentSerializer(serializers.ModelSerializer):
    """A department with the area it belongs to."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    area = AreaBriefSerializer(read_only=True)

    class Meta:
        model = Department
        fields = ["id", "code", "name", "short_name", "kind", "kind_display", "area", "phone",
                  "is_active"]


class DepartmentBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name"]


class RoleAssignmentSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_display = serializers.CharField()
    area = AreaBriefSerializer()


class SecondFactorSerializer(serializers.Serializer):
    required = serializers.BooleanField(help_text=_("该账号是否须通过动态口令(三类管理员)。"))
    enrolled = serializers.BooleanField(help_text=_("是否已绑定动态口令。"))
    verified = serializers.BooleanField(help_text=_("本次会话是否已通过动态口令验证。"))


class MeSerializer(serializers.Serializer):
    """The principal of the request: a person, or a department's API client."""

    id = serializers.IntegerField(allow_null=True)
    username = serializers.CharField()
    real_name = serializers.CharField()
    phone = serializers.CharField(help_text=_("脱敏后的手机号,如 138****5678。"))
    department = DepartmentBriefSerializer(allow_null=True)
    roles = RoleAssignmentSerializer(many=True)
    is_api_client = serializers.BooleanField()
    second_factor = SecondFactorSerializer()


class ApiKeySerializer(serializers.ModelSerializer):
    """An API key as listed: prefix, department, use, who issued it, usage, revocation."""

    department = DepartmentBriefSerializer(read_only=True)
    # Null for a key the system issued (a command, the demo loader).
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                              allow_null=True)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = ApiKey
        fields = ["id", "prefix", "name", "department", "created_by", "created_at",
                  "last_used_at", "revoked_at", "is_active"]
        read_only_fields = fields

    def get_is_active(self, obj) -> bool:
        return obj.revoked_at is None


class ApiKeyIssuedSerializer(ApiKeySerializer):
    """The response to issuing a key: the only time the raw key is ever shown."""

    key = serializers.CharField(read_only=True, help_text=_("密钥原文,仅此一次返回,请妥善保存。"))

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiKeyCreateSerializer(serializers.Serializer):
    """Input for issuing a key. A department administrator may omit the department."""

    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), required=False,
        help_text=_("部门编号;部门管理员可省略,默认本部门。"),
    )
    name = serializers.CharField(max_length=100, help_text=_("用途,如“执法系统对接”。"))
