"""``/api/roles/`` and ``/api/permissions/``: the role → permission table as an API, for the
security administrator (``core.manage_roles``).

Writes are the core role actions (``gridgov.core.actions``): audited, and the table's cache
dropped, so the next request of every holder of the role sees the change.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from gridgov.areas.choices import Level
from gridgov.core import actions as core_actions
from gridgov.core.api import ActionViewSet, ScopedReadOnlyViewSet
from gridgov.core.models import Permission, RoleDefinition

MANAGE = "core.manage_roles"


class PermissionSerializer(serializers.ModelSerializer):
    """A permission the code checks, with the roles that hold it now."""

    app = serializers.CharField(read_only=True)
    app_label = serializers.SerializerMethodField()
    roles = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Permission
        fields = ["code", "label", "description", "app", "app_label", "is_declared", "roles"]
        read_only_fields = fields

    def get_app_label(self, obj) -> str:
        try:
            return str(apps.get_app_config(obj.app).verbose_name)
        except LookupError:
            return obj.app


class RoleSerializer(serializers.ModelSerializer):
    """A role: where it may be held, its flags and the codes of its permissions."""

    permissions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = RoleDefinition
        fields = ["code", "name", "description", "area_levels", "department_bound",
                  "admin_duty", "builtin", "assignable", "is_active", "order", "permissions",
                  "updated_at"]
        read_only_fields = fields


class RoleInputSerializer(serializers.Serializer):
    """Input of a new role (``create_role``); ``permissions`` are permission codes."""

    code = serializers.RegexField(r"^[a-z][a-z0-9_]{1,29}$", max_length=30,
                                  help_text=_("小写字母开头,如 assessor。"))
    name = serializers.CharField(max_length=50)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    area_levels = serializers.ListField(child=serializers.ChoiceField(choices=Level.choices),
                                        required=False, default=list,
                                        help_text=_("可任职的区域层级;空表示任何层级。"))
    department_bound = serializers.BooleanField(required=False, default=False)
    assignable = serializers.BooleanField(required=False, default=True)
    order = serializers.IntegerField(required=False, default=100, min_value=0)
    permissions = serializers.ListField(child=serializers.CharField(max_length=80),
                                        required=False, default=list,
                                        help_text=_("权限编码,见 /api/permissions/。"))


class RoleUpdateSerializer(serializers.Serializer):
    """Input of a role's change (``update_role``): only the fields given change; the code and
    a built-in role's flags stay as they are."""

    name = serializers.CharField(max_length=50, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    area_levels = serializers.ListField(child=serializers.ChoiceField(choices=Level.choices),
                                        required=False)
    department_bound = serializers.BooleanField(required=False)
    assignable = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)
    order = serializers.IntegerField(required=False, min_value=0)
    permissions = serializers.ListField(child=serializers.CharField(max_length=80),
                                        required=False,
                                        help_text=_("给出时替换该角色的全部权限。"))


@extend_schema(tags=["accounts"])
@extend_schema_view(
    list=extend_schema(summary="角色列表"),
    retrieve=extend_schema(summary="角色详情(含权限)"),
    create=extend_schema(summary="新建角色", request=RoleInputSerializer,
                         responses={201: RoleSerializer}),
    partial_update=extend_schema(summary="修改角色及其权限", request=RoleUpdateSerializer,
                                 responses={200: RoleSerializer}),
)
class RoleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """Roles and what each may do; the security administrator edits them without code."""

    required_permission = MANAGE
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = RoleDefinition.objects.prefetch_related("permissions").order_by("order", "code")
    lookup_field = "code"
    lookup_value_regex = "[a-z][a-z0-9_]{1,29}"
    serializer_class = RoleSerializer
    input_serializer_class = RoleInputSerializer
    update_input_serializer_class = RoleUpdateSerializer
    create_action = staticmethod(core_actions.create_role)
    update_action = staticmethod(core_actions.update_role)
    pagination_class = None


@extend_schema(tags=["accounts"])
@extend_schema_view(list=extend_schema(summary="权限列表"),
                    retrieve=extend_schema(summary="权限详情"))
class PermissionViewSet(ScopedReadOnlyViewSet):
    """Every permission the code checks, with the roles holding it."""

    required_permission = MANAGE
    queryset = Permission.objects.filter(is_declared=True).prefetch_related("roles")
    lookup_field = "code"
    lookup_value_regex = r"[a-z_]+\.[a-z_]+"
    serializer_class = PermissionSerializer
    pagination_class = None
