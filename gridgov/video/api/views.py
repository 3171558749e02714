"""The camera registry's API under /api/v1/video/: cameras (list with filters and
``near=lng,lat&radius=``, detail by code, register, update, status, retire) and grants (list,
create, revoke). Writes go through ``gridgov.video.actions``."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action

from gridgov.core.access import get_scope
from gridgov.core.api import ActionViewSet

from .. import actions
from ..filtersets import CameraFilterSet, CameraGrantFilterSet, parse_near
from ..models import Camera, CameraGrant
from ..permissions import MANAGE, USE
from ..views import reachable
from .serializers import (
    CameraGrantInputSerializer,
    CameraGrantSerializer,
    CameraInputSerializer,
    CameraManagerSerializer,
    CameraSerializer,
    CameraStatusSerializer,
    CameraUpdateSerializer,
    ReasonSerializer,
)

NEAR_PARAMS = [
    OpenApiParameter("near", str, description="附近:经度,纬度(WGS-84),按距离由近到远"),
    OpenApiParameter("radius", int, description="附近的半径(米),默认 200,最大 5000"),
]


def _owner(user):
    from gridgov.accounts.models import Department

    scope = get_scope(user)
    if scope is None or not scope.department_can(MANAGE):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("只有部门的数据专员或部门管理员可以管理摄像头。"))
    return Department.objects.get(pk=scope.department_id)


@extend_schema_view(
    list=extend_schema(summary="摄像头列表(可调阅的,及本部门的)", parameters=NEAR_PARAMS),
    retrieve=extend_schema(summary="摄像头详情"),
)
class CameraViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """摄像头: the cameras the caller may use and, for the owner's managers, their own
    (retired ones too). Stream URLs only in the owner's managers' answers."""

    queryset = Camera.objects.all()
    serializer_class = CameraSerializer
    input_serializer_class = CameraInputSerializer
    update_input_serializer_class = CameraUpdateSerializer
    filterset_class = CameraFilterSet
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{1,40}"
    required_permissions = {"list": (USE, MANAGE), "retrieve": (USE, MANAGE),
                            "create": MANAGE, "partial_update": MANAGE,
                            "status": MANAGE, "retire": MANAGE}
    reads_narrowed_by_scope = True
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return reachable(self.request.user).select_related("owner").order_by("code")
        return super().get_queryset().select_related("owner")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        near = self.request.query_params.get("near") if self.request else None
        if near:
            try:
                context["near"] = parse_near(near)
            except ValidationError:
                pass
        return context

    def _manager_of(self, camera) -> bool:
        scope = get_scope(self.request.user)
        return bool(scope and scope.department_can(MANAGE)
                    and scope.department_id == camera.owner_id)

    def get_serializer(self, *args, **kwargs):
        # Stream URLs only for the owner's managers: one serializer per object.
        instance = args[0] if args else kwargs.get("instance")
        if isinstance(instance, Camera) and self._manager_of(instance):
            kwargs.setdefault("context", self.get_serializer_context())
            return CameraManagerSerializer(*args, **kwargs)
        if kwargs.get("many") and instance is not None:
            kwargs.setdefault("context", self.get_serializer_context())
            return CameraSerializer(*args, **kwargs)
        return super().get_serializer(*args, **kwargs)

    def respond(self, obj, *, status=200, serializer_class=None):
        cls = serializer_class or (CameraManagerSerializer if self._manager_of(obj)
                                   else CameraSerializer)
        return super().respond(obj, status=status, serializer_class=cls)

    @extend_schema(summary="登记摄像头(本部门)", request=CameraInputSerializer,
                   responses={201: CameraManagerSerializer})
    def create(self, request, *args, **kwargs):
        owner = _owner(request.user)
        return self.run(lambda data: actions.register_camera(actor=request.user, owner=owner,
                                                             **data), status=201)

    @extend_schema(summary="修改摄像头", request=CameraUpdateSerializer,
                   responses={200: CameraManagerSerializer})
    def partial_update(self, request, *args, **kwargs):
        camera = self.get_object()
        return self.run(lambda data: actions.update_camera(camera, actor=request.user, **data),
                        partial=True)

    @extend_schema(summary="变更摄像头状态", request=CameraStatusSerializer,
                   responses={200: CameraManagerSerializer})
    @action(detail=True, methods=["post"])
    def status(self, request, code=None):
        camera = self.get_object()
        data = self.read_input_of(CameraStatusSerializer)
        camera = actions.set_camera_status(camera, actor=request.user, **data)
        return self.respond(camera)

    @extend_schema(summary="停用摄像头", request=ReasonSerializer,
                   responses={200: CameraManagerSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request, code=None):
        camera = self.get_object()
        data = self.read_input_of(ReasonSerializer)
        return self.respond(actions.retire_camera(camera, actor=request.user, **data))

    def read_input_of(self, cls) -> dict:
        serializer = cls(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


@extend_schema_view(list=extend_schema(summary="摄像头授权(本部门给出的,及授予本部门的;部门管理员)"),
                    retrieve=extend_schema(summary="摄像头授权详情"))
class CameraGrantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """摄像头授权: what the caller's department granted or was granted (its managers)."""

    queryset = CameraGrant.objects.select_related("owner", "camera", "grantee_department")
    serializer_class = CameraGrantSerializer
    input_serializer_class = CameraGrantInputSerializer
    filterset_class = CameraGrantFilterSet
    # The grants are the managers' business: what their department gave or was given.
    required_permission = MANAGE
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(summary="授权本部门的有条件共享摄像头", request=CameraGrantInputSerializer,
                   responses={201: CameraGrantSerializer})
    def create(self, request, *args, **kwargs):
        from gridgov.accounts.models import Department

        owner = _owner(request.user)

        def grant(data):
            camera = department = None
            if data.get("camera"):
                camera = (Camera.objects.restrict(request.user, "change")
                          .filter(owner=owner, code=data["camera"]).first())
                if camera is None:
                    raise ValidationError({"camera": _("本部门没有这个编码的摄像头。")})
            if data.get("department"):
                department = Department.objects.filter(code=data["department"]).first()
                if department is None:
                    raise ValidationError({"department": _("没有这个部门。")})
            return actions.grant_cameras(actor=request.user, owner=owner, camera=camera,
                                         department=department, role=data.get("role", ""),
                                         reason=data["reason"])

        return self.run(grant, status=status.HTTP_201_CREATED)

    @extend_schema(summary="撤销摄像头授权", request=ReasonSerializer,
                   responses={200: CameraGrantSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        grant = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        grant = actions.revoke_camera_grant(grant, actor=request.user,
                                            reason=serializer.validated_data["reason"])
        return self.respond(grant)
