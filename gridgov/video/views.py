"""Pages of the camera registry: the list (filters, paging, map), a camera's page, and the
managers' register / edit / status / retire.

Everything is read through ``Camera.objects.restrict``: a person sees the cameras they may
use (``view``) and, as the owner's manager, their own department's (``change``, retired ones
included); anything else answers 404 like a missing camera."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import ActionView, PermissionRequiredMixin

from . import actions
from .choices import CameraStatus
from .filtersets import CameraFilterSet
from .forms import CameraForm, ReasonForm, StatusForm
from .models import Camera, CameraGrant, CameraStatusChange
from .permissions import MANAGE, USE, VIEW_LOG, VIEW_STATS

PAGE_SIZE = 50
# Points drawn on the list's map: the filtered cameras, at most this many.
MAP_POINTS = 2000


def reachable(user):
    """Cameras the user may use, and, for the owner's managers, their own (retired too)."""
    usable = Camera.objects.restrict(user, "view")
    from gridgov.core.access import get_scope

    scope = get_scope(user)
    if scope is not None and scope.department_can(MANAGE):
        return usable | Camera.objects.restrict(user, "change")
    return usable


def _department(scope):
    from gridgov.accounts.models import Department

    return Department.objects.get(pk=scope.department_id)


def nav(scope) -> dict:
    """What the registry's tabs show the reader."""
    return {"can_manage": scope.department_can(MANAGE), "can_stats": scope.can(VIEW_STATS),
            "can_log": scope.can(VIEW_LOG)}


def _map_config(request, points):
    from gridgov.web.basemap import basemap_config

    return {"basemap": basemap_config(request, wgs84_only=True), "points": points,
            "text": {"metres": _("%(n)s 米"), "open": _("查看")}}


class CameraListView(PermissionRequiredMixin, View):
    """视频资源: the cameras the reader may use (filters, 50 a page, a map of the filtered)."""

    permission = (USE, MANAGE, VIEW_STATS, VIEW_LOG)

    def get(self, request):
        from gridgov.accounts.models import Department

        if not self.scope.can(USE, MANAGE, VIEW_STATS):
            # The audit administrator reads the live-view log, never the cameras.
            return redirect("video:views")

        queryset = reachable(request.user).select_related("owner").order_by("code")
        filterset = CameraFilterSet(request.GET or None, queryset=queryset)
        status = 200 if not filterset.is_bound or filterset.is_valid() else 400
        qs = filterset.qs if status == 200 else queryset.none()
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        owners = Department.objects.filter(cameras__isnull=False).distinct().order_by("code")
        points = [{"lng": lng, "lat": lat, "status": st, "label": f"{name}({code})",
                   "url": reverse("video:camera", args=[code])}
                  for code, name, lng, lat, st in
                  qs.order_by().values_list("code", "name", "lng", "lat", "status")[:MAP_POINTS]]
        return render(request, "video/camera_list.html", {
            "filter": filterset, "page_obj": page, "paginator": page.paginator,
            "is_paginated": page.paginator.num_pages > 1, "owners": owners,
            "map_config": _map_config(request, points), "map_capped": len(points) >= MAP_POINTS,
            **nav(self.scope)},
            status=status)


def _link(name, code, query=""):
    """The URL of a live-view or video-patrol page of the camera (H2's), or "" while those
    pages are not installed."""
    try:
        return reverse(f"video:{name}", args=[code]) + query
    except NoReverseMatch:
        return ""


class CameraDetailView(PermissionRequiredMixin, View):
    """A camera: its facts, map, status history, the owner's grants (for the owner's
    managers), and the live view / video patrol links for who may use it."""

    permission = (USE, MANAGE)

    def get(self, request, code):
        camera = get_object_or_404(reachable(request.user).select_related("owner", "grid"),
                                   code=code)
        usable = Camera.objects.restrict(request.user, "view").filter(pk=camera.pk).exists()
        manager = self.scope.department_can(MANAGE) and camera.owner_id == self.scope.department_id
        event = request.GET.get("event", "")
        query = f"?event={event}" if event.isdigit() else ""
        grants = []
        if manager:
            # This camera's own grants and the owner's grants of all its cameras.
            grants = list(CameraGrant.objects.restrict(request.user, "change").active()
                          .filter(Q(camera=camera) | Q(camera__isnull=True))
                          .select_related("grantee_department"))
        history = CameraStatusChange.objects.filter(camera=camera).select_related("actor")[:20]
        point = {"lng": camera.lng, "lat": camera.lat, "status": camera.status,
                 "label": camera.name, "url": ""}
        return render(request, "video/camera_detail.html", {
            "camera": camera, "usable": usable, "manager": manager, "grants": grants,
            "history": history, "map_config": _map_config(request, [point]),
            "live_url": _link("live", camera.code, query) if usable and camera.is_active else "",
            "report_url": (_link("report", camera.code, query)
                           if usable and camera.is_active else ""),
            "status_form": StatusForm(initial={"status": camera.status}),
            "retire_form": ReasonForm(), "statuses": CameraStatus, **nav(self.scope)})


def _form_values(data) -> dict:
    values = dict(data)
    values.pop("code", None)
    return values


class CameraCreateView(PermissionRequiredMixin, View):
    """登记摄像头: a manager registers a camera of their department."""

    permission = MANAGE

    def _check(self):
        if not self.scope.department_can(MANAGE):
            raise PermissionDenied(_("只有部门的数据专员或部门管理员可以登记摄像头。"))

    def get(self, request):
        self._check()
        return render(request, "video/camera_form.html", {"form": CameraForm(), "camera": None})

    def post(self, request):
        self._check()
        form = CameraForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                camera = actions.register_camera(actor=request.user,
                                                 owner=_department(self.scope),
                                                 code=data["code"], **_form_values(data))
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("摄像头已登记。"))
                return redirect("video:camera", code=camera.code)
        return render(request, "video/camera_form.html", {"form": form, "camera": None},
                      status=400)


def _add_errors(form, exc):
    for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [
            (None, exc.messages)]:
        target = field if field in form.fields else ("lng" if field == "location" else None)
        for error in errors:
            form.add_error(target, error)


class CameraEditView(PermissionRequiredMixin, View):
    """修改摄像头: the owner's managers only (others 404)."""

    permission = MANAGE

    def _camera(self, code):
        return get_object_or_404(Camera.objects.restrict(self.request.user, "change")
                                 .select_related("owner"), code=code, is_active=True)

    def get(self, request, code):
        camera = self._camera(code)
        initial = {f: getattr(camera, f) for f in CameraForm.base_fields if hasattr(camera, f)}
        initial["crs"] = "wgs84"
        return render(request, "video/camera_form.html", {
            "form": CameraForm(initial=initial, editing=True), "camera": camera})

    def post(self, request, code):
        camera = self._camera(code)
        form = CameraForm(request.POST, editing=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.update_camera(camera, actor=request.user, **_form_values(data))
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("摄像头已修改。"))
                return redirect("video:camera", code=camera.code)
        return render(request, "video/camera_form.html", {"form": form, "camera": camera},
                      status=400)


class CameraStatusView(ActionView):
    """变更状态 (button on the camera page)."""

    permission = MANAGE
    model = Camera

    def run(self, request, code):
        camera = self.get_object(code=code)
        form = StatusForm(request.POST)
        if not form.is_valid():
            raise ValidationError({"status": _("请选择有效的状态。")})
        actions.set_camera_status(camera, actor=request.user, **form.cleaned_data)
        return _("状态已更新。")

    def back_url(self, request, code):
        return reverse("video:camera", args=[code])


class CameraRetireView(ActionView):
    """停用 (button on the camera page; a reason is required)."""

    permission = MANAGE
    model = Camera

    def run(self, request, code):
        camera = self.get_object(code=code)
        actions.retire_camera(camera, actor=request.user, reason=request.POST.get("reason", ""))
        return _("摄像头已停用。")

    def back_url(self, request, code):
        return reverse("video:camera", args=[code])

