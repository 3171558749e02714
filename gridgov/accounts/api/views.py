"""``/api/me/``, ``/api/departments/`` and ``/api/api-keys/``.

Reads go through ``restrict()`` (out of scope answers 404); writes call
``gridgov.accounts.actions``, which check the actor and audit the change.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.areas.api.serializers import ErrorListSerializer
from gridgov.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin

from .. import actions
from ..choices import Role
from ..filtersets import DepartmentFilterSet
from ..middleware import SESSION_FLAG, needs_second_factor
from ..models import ApiKey, Department
from gridgov.core.access import get_scope
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


class HasRole(permissions.BasePermission):
    """Let through people holding one of the view's ``required_roles``; API clients never."""

    message = _("您的角色无权使用此接口。")

    def has_permission(self, request, view):
        scope = get_scope(request.user)
        return bool(scope and not scope.is_api_client
                    and scope.has_role(*getattr(view, "required_roles", ())))


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
        "phone": actions.mask_phone(user.phone),
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
class ApiKeyViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    """Department API keys: the system administrator sees and issues all, a department
    administrator those of their own department. Only a hash of each key is stored."""

    queryset = ApiKey.objects.select_related("department", "created_by")
    serializer_class = ApiKeySerializer
    permission_classes = [permissions.IsAuthenticated, HasRole]
    required_roles = (Role.SYS_ADMIN, Role.DEPT_ADMIN)

    @extend_schema(
        request=ApiKeyCreateSerializer,
        responses={201: ApiKeyIssuedSerializer, 400: BAD_INPUT,
                   403: OpenApiResponse(ErrorListSerializer,
                                        description="无权为该部门签发密钥")},
        summary="签发 API 密钥(原文仅返回一次)",
    )
    def create(self, request):
        data = ApiKeyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        department = data.validated_data.get("department")
        if department is None:
            scope = get_scope(request.user)
            department = Department.objects.filter(pk=scope.department_id,
                                                   is_active=True).first()
            if department is None:
                return Response(
                    {"errors": [{"field": "department", "code": "required",
                                 "message": str(_("请指定部门。"))}]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        key, raw = actions.issue_api_key(department, name=data.validated_data["name"],
                                         actor=request.user)
        key.key = raw
        out = ApiKeyIssuedSerializer(key).data
        response = Response(out, status=status.HTTP_201_CREATED)
        # The raw key must not linger in any cache on the way.
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=None, summary="吊销 API 密钥",
                   responses={200: ApiKeySerializer, 403: FORBIDDEN, 404: NOT_FOUND,
                              400: OpenApiResponse(ErrorListSerializer, description="已吊销")})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        key = self.get_object()
        actions.revoke_api_key(key, actor=request.user)
        return Response(ApiKeySerializer(key).data)
