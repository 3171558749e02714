"""``/api/me/``, ``/api/departments/`` and ``/api/api-keys/`` (the role table's
``/api/roles/`` and ``/api/permissions/`` are in ``roles``).

Every view declares the permission each operation needs (``required_permission(s)``, read by
``gridgov.core.access.drf.RequirePermission`` and written into the schema). Reads go through
``restrict()`` (out of scope answers 404); writes call ``gridgov.accounts.actions``, which
check the actor and audit the change.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.areas.api.serializers import ErrorListSerializer
from gridgov.core.access import get_scope
from gridgov.core.api import ActionViewSet, ScopedReadOnlyViewSet

from .. import actions
from ..filtersets import DepartmentFilterSet
from ..middleware import SESSION_FLAG, needs_second_factor
from ..models import ApiKey, Department
from .serializers import (
    ApiKeyCreateSerializer,
    ApiKeyIssuedSerializer,
    ApiKeySerializer,
    DepartmentSerializer,
    MeSerializer,
)

# Every 4xx answer has the one error shape (gridgov.core.api.exception_handler).
BAD_INPUT = OpenApiResponse(ErrorListSerializer, description="输入有误(字段与原因)")
FORBIDDEN = OpenApiResponse(ErrorListSerializer, description="角色无权使用此接口")
NOT_FOUND = OpenApiResponse(ErrorListSerializer, description="不存在或不在权限范围内")
# Declared on purpose: any signed-in principal (a person or an API client), no permission.
SIGNED_IN = ()
KEYS = "accounts.manage_api_keys"


def describe_principal(request) -> dict:
    """What ``/api/me/`` says about the principal of the request."""
    user = request.user
    scope = get_scope(user)
    if scope.is_api_client:
        dept = user.department
        return {
            "id": None, "username": user.audit_name, "real_name": dept.name, "phone": "",
            "department": dept, "roles": [], "is_api_client": True,
            "second_factor": {"required": False, "enrolled": False, "verified": False},
        }
    roles = [
        {"role": a.role, "role_display": a.get_role_display(), "area": a.area}
        for a in user.assignments.select_related("area").order_by("role", "area__code")
    ]
    session = getattr(request, "session", None)
    return {
        "id": user.pk,
        "username": user.username,
        "real_name": user.real_name,
        "phone": user.phone_masked,
        "department": user.department,
        "roles": roles,
        "is_api_client": False,
        "second_factor": {
            "required": needs_second_factor(user),
            "enrolled": bool(user.totp_confirmed),
            "verified": bool(session is not None and session.get(SESSION_FLAG)),
        },
    }


@extend_schema(tags=["accounts"])
class MeViewSet(viewsets.ViewSet):
    """The signed-in person (or API client): name, masked phone, department, roles and areas."""

    required_permission = SIGNED_IN
    # ``list`` answers one object, not an array: declared so (gridgov.core.schema).
    schema_single_object = True

    @extend_schema(responses=MeSerializer, summary="当前用户")
    def list(self, request):
        return Response(MeSerializer(describe_principal(request)).data)


@extend_schema(tags=["accounts"])
@extend_schema_view(
    list=extend_schema(summary="部门列表", responses={200: DepartmentSerializer(many=True),
                                                    400: BAD_INPUT}),
    retrieve=extend_schema(summary="部门详情", responses={200: DepartmentSerializer,
                                                        404: NOT_FOUND}),
)
class DepartmentViewSet(ScopedReadOnlyViewSet):
    """Party and government departments and street offices, for dispatch and data sharing."""

    # Every signed-in principal needs the list (dispatch, sharing); changes are pages'.
    required_permission = SIGNED_IN

    queryset = Department.objects.select_related("area")
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet


@extend_schema(tags=["accounts"])
@extend_schema_view(
    list=extend_schema(summary="API 密钥列表", responses={200: ApiKeySerializer(many=True),
                                                        403: FORBIDDEN}),
    retrieve=extend_schema(summary="API 密钥详情", responses={200: ApiKeySerializer,
                                                            403: FORBIDDEN, 404: NOT_FOUND}),
)
class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """Department API keys: the system administrator sees and issues all, a department
    administrator those of their own department. Only a hash of each key is stored."""

    required_permission = KEYS
    # ActionViewSet answers PATCH too; keys are never edited, only issued and revoked.
    http_method_names = ["get", "post", "head", "options"]
    queryset = ApiKey.objects.select_related("department", "created_by")
    serializer_class = ApiKeySerializer
    input_serializer_class = ApiKeyCreateSerializer

    def issue(self, data):
        department = data.get("department")
        if department is None:
            scope = get_scope(self.request.user)
            department = Department.objects.filter(pk=scope.department_id,
                                                   is_active=True).first()
            if department is None:
                raise exceptions.ValidationError({"department": [_("请指定部门。")]},
                                                 code="required")
        key, raw = actions.issue_api_key(department, name=data["name"],
                                         actor=self.request.user)
        key.key = raw
        return key

    @extend_schema(
        request=ApiKeyCreateSerializer,
        responses={201: ApiKeyIssuedSerializer, 400: BAD_INPUT,
                   403: OpenApiResponse(ErrorListSerializer,
                                        description="无权为该部门签发密钥")},
        summary="签发 API 密钥(原文仅返回一次)",
    )
    def create(self, request):
        response = self.run(self.issue, status=201, serializer_class=ApiKeyIssuedSerializer)
        # The raw key must not linger in any cache on the way.
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=None, summary="吊销 API 密钥",
                   responses={200: ApiKeySerializer, 403: FORBIDDEN, 404: NOT_FOUND,
                              400: OpenApiResponse(ErrorListSerializer, description="已吊销")})
    @action(detail=True, methods=["post"], input_serializer_class=None)
    def revoke(self, request, pk=None):
        key = self.get_object()
        return self.run(lambda data: actions.revoke_api_key(key, actor=request.user))
