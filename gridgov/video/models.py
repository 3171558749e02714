"""The camera registry of the video resource platform (视频资源整合共享平台).

- ``Camera``: one camera (or video device) of a department, named by its GB/T 28181 code,
  placed on the map (WGS-84, like every stored point) and in a grid (``area_code``, so scope
  is one indexed prefix test), with its streams as configuration and a sharing class like a
  data resource.
- ``CameraStatusChange``: the camera's status history (online / offline / fault).
- ``CameraGrant``: the owner's grant of its conditional cameras (one camera, or all of them
  when ``camera`` is empty) to a department or to a role; revocable at once.
- ``CameraView``: one live view (调阅): who opened which camera, when and why, through which
  short-lived signed link (``token_id``); the log the audit administrator reads.

Who may *use* a camera (``Camera.restrict_q``, action ``view``), inside the areas where the
principal holds ``video.use``: the owner department's own staff; anyone, for an
unconditionally shared camera; the granted departments and roles, for a conditional one;
nobody else for a camera that is not shared. Only the owner's managers (``video.manage``,
department-bound) change a camera (action ``change``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import CHANGE, NOTHING, RestrictedQuerySet
from gridgov.sharing.choices import SharingType
from gridgov.sharing.object_grants import ObjectGrant, shared_q

from .choices import CameraKind, CameraStatus
from .permissions import MANAGE, USE, VIEW_LOG


def usable_q(scope) -> Q:
    """Cameras the principal may use (see the module docstring), as one filter."""
    if not scope.can(USE):
        return NOTHING
    return scope.area_q("area_code", USE) & Q(is_active=True) & shared_q(CameraGrant, scope)


class CameraQuerySet(RestrictedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class Camera(models.Model):
    """One camera of a department, by its GB/T 28181 20-digit code (see the module
    docstring for who may use it)."""

    code = models.CharField(_("国标编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    owner = models.ForeignKey("accounts.Department", verbose_name=_("所属部门"),
                              on_delete=models.PROTECT, related_name="cameras")
    kind = models.CharField(_("类型"), max_length=12, choices=CameraKind.choices,
                            default=CameraKind.BULLET)
    lng = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    place = models.CharField(_("安装位置"), max_length=200, blank=True)
    grid = models.ForeignKey("areas.Area", verbose_name=_("所属网格"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="cameras")
    area_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=CameraStatus.choices,
                              default=CameraStatus.ONLINE, db_index=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    # Stream endpoints are configuration of the video platform, never shown to a viewer:
    # the live view goes through a signed link of ours (``CameraView``).
    rtsp_url = models.CharField(_("RTSP 地址"), max_length=500, blank=True)
    hls_url = models.CharField(_("HLS 地址"), max_length=500, blank=True)
    webrtc_url = models.CharField(_("WebRTC 地址"), max_length=500, blank=True)
    sharing_type = models.CharField(_("共享类型"), max_length=20, choices=SharingType.choices,
                                    default=SharingType.CONDITIONAL, db_index=True)
    sharing_condition = models.TextField(_("共享条件"), blank=True)
    legal_basis = models.TextField(_("不予共享依据"), blank=True)
    installed_on = models.DateField(_("安装日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在用"), default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = CameraQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("摄像头")
        verbose_name_plural = _("摄像头")
        indexes = [models.Index(fields=["owner", "status"], name="video_camera_owner_status")]

    def __str__(self):
        return f"{self.name}({self.code})"

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            if not scope.department_can(MANAGE):
                return NOTHING
            return Q(owner_id=scope.department_id)
        return usable_q(scope)


class CameraStatusChange(models.Model):
    """One change of a camera's status (the history behind the online rate)."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("状态"), max_length=10, choices=CameraStatus.choices)
    previous = models.CharField(_("原状态"), max_length=10, choices=CameraStatus.choices,
                                blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("摄像头状态记录")
        verbose_name_plural = _("摄像头状态记录")

    @classmethod
    def restrict_q(cls, scope, action):
        return _camera_q(scope, action)


def _camera_q(scope, action) -> Q:
    """Rows about cameras the principal may use (read) or manage (change)."""
    if action == CHANGE:
        if not scope.department_can(MANAGE):
            return NOTHING
        return Q(camera__owner_id=scope.department_id)
    return Q(camera__in=Camera.objects.filter(usable_q(scope)))


class CameraGrant(ObjectGrant):
    """The owner's grant of one conditional camera, or of all of them (``camera`` empty), to
    a department or to a role (exactly one of the two; ``sharing.object_grants``)."""

    TARGET = "camera"

    camera = models.ForeignKey(Camera, verbose_name=_("摄像头"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="grants")

    class Meta(ObjectGrant.Meta):
        verbose_name = _("摄像头授权")
        verbose_name_plural = _("摄像头授权")

    @classmethod
    def restrict_q(cls, scope, action):
        return cls.visible_q(scope, action, MANAGE)


class CameraView(models.Model):
    """One live view (调阅): who opened which camera, when, why and from which event, and
    the signed link it was given (``token_id``, valid until ``expires_at``)."""

    token_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="camera_views")
    department = models.ForeignKey("accounts.Department", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("调阅事由"), max_length=200)
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="camera_views")
    issued_at = models.DateTimeField(_("调阅时间"), db_index=True)
    expires_at = models.DateTimeField(_("链接失效时间"))
    first_used_at = models.DateTimeField(_("首次播放时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最后播放时间"), null=True, blank=True)
    requests = models.PositiveIntegerField(_("播放请求数"), default=0)
    client_ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("摄像头调阅记录")
        verbose_name_plural = _("摄像头调阅记录")

    @classmethod
    def restrict_q(cls, scope, action):
        # The log: the audit administrator reads all of it, the owner's managers their own
        # cameras' views, and everyone their own views. Nobody changes it but the platform.
        if action == CHANGE:
            return NOTHING
        q = Q(user_id=scope.user_id) if scope.user_id else NOTHING
        if scope.can(VIEW_LOG) and scope.is_admin:
            return None
        if scope.department_can(VIEW_LOG):
            q |= Q(camera__owner_id=scope.department_id)
        return q


class CameraImport(models.Model):
    """One Excel/CSV import of cameras: the counts and the report of the rejected rows (each
    as typed, with the reason per cell) that the uploader downloads. Cameras carry no
    personal data, so the report is stored as it is."""

    owner = models.ForeignKey("accounts.Department", verbose_name=_("所属部门"),
                              on_delete=models.PROTECT, related_name="camera_imports")
    filename = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    created_rows = models.PositiveIntegerField(_("新增"), default=0)
    updated_rows = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("未变化"), default=0)
    rejected_rows = models.PositiveIntegerField(_("拒绝"), default=0)
    report = models.TextField(_("拒绝明细"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("摄像头导入批次")
        verbose_name_plural = _("摄像头导入批次")

    def __str__(self):
        return self.filename

    @classmethod
    def restrict_q(cls, scope, action):
        # The owner's managers only: the rejected rows may name cameras not yet shared.
        if not scope.department_can(MANAGE):
            return NOTHING
        return Q(owner_id=scope.department_id)
