"""The registry's management pages: the Excel import (with its reject report), the grants
of conditional cameras, the statistics per department and the live-view log."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import ActionView, PermissionRequiredMixin

from . import actions
from .actions.imports import template_xlsx
from .choices import CameraStatus, SharingType
from .filtersets import CameraViewFilterSet
from .forms import GrantForm, ImportForm
from .models import Camera, CameraGrant, CameraImport, CameraView
from .permissions import MANAGE, USE, VIEW_LOG, VIEW_STATS
from .views import _department, nav

STATS_DEFAULT_DAYS = 30
STATS_MAX_DAYS = 366


class _ManagerMixin(PermissionRequiredMixin):
    """Pages of a department's managers (``video.manage`` held for the department)."""

    permission = MANAGE

    def owner(self):
        from django.core.exceptions import PermissionDenied

        if not self.scope.department_can(MANAGE):
            raise PermissionDenied(_("只有部门的数据专员或部门管理员可以管理摄像头。"))
        return _department(self.scope)


class ImportView(_ManagerMixin, View):
    """导入摄像头: upload an XLSX/CSV of the department's cameras; the last imports with
    their reject reports.

    The upload is kept in storage and imported by a background job (``video.import``,
    ``video/jobs.py``); the page follows it (``?job=<uid>``) with a progress bar and then
    shows the import's result, or why the file was refused, as it did in the request."""

    def _render(self, request, form, batch=None, status=200, job=None):
        from gridgov.background.views import job_context

        batches = CameraImport.objects.restrict(request.user, "view")[:10]
        context = {"form": form, "batch": batch, "batches": batches, **nav(self.scope)}
        if job is not None:
            context.update(job_context(job))
        return render(request, "video/import.html", context, status=status)

    def get(self, request):
        self.owner()
        if request.GET.get("job"):
            return self._followed(request, _import_job(request, request.GET["job"]))
        return self._render(request, ImportForm())

    def _followed(self, request, job):
        """The page of an import job: its progress, then its result or the file's error."""
        result = job.result or {}
        if result.get("errors"):
            form = ImportForm()
            form.errors["file"] = form.error_class(result["errors"])
            return self._render(request, form, status=400, job=job)
        batch = None
        if job.status == "done" and result.get("batch"):
            batch = get_object_or_404(CameraImport.objects.restrict(request.user, "view"),
                                      pk=result["batch"])
            done = _("导入完成:新增 %(c)d,更新 %(u)d,未变化 %(s)d,拒绝 %(r)d。")
            messages.success(request, done % {
                "c": batch.created_rows, "u": batch.updated_rows, "s": batch.unchanged_rows,
                "r": batch.rejected_rows})
        return self._render(request, ImportForm(), batch=batch, job=job)

    def post(self, request):
        from django.urls import reverse

        from gridgov.background.actions import submit_job
        from gridgov.background.files import save_upload

        owner = self.owner()
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form, status=400)
        upload = form.cleaned_data["file"]
        job = submit_job("video.import", actor=request.user, params={
            "owner": owner.pk, "upload": save_upload(upload.read(), upload.name),
            "filename": upload.name[:200]})
        return redirect(f"{reverse('video:import')}?job={job.uid}")


def _import_job(request, uid):
    """The person's own camera import job ``uid`` (404 for another's or a malformed uid)."""
    from django.http import Http404

    from gridgov.background.models import BackgroundJob

    try:
        job = (BackgroundJob.objects.restrict(request.user)
               .filter(kind="video.import", uid=uid).first())
    except ValidationError:
        job = None  # not a UUID
    if job is None:
        raise Http404(_("没有这个导入作业。"))
    return job


class ImportReportView(_ManagerMixin, View):
    """The rejected rows of one import, as CSV (UTF-8 with BOM, so Excel reads it)."""

    def get(self, request, pk):
        batch = get_object_or_404(CameraImport.objects.restrict(request.user, "view"), pk=pk)
        response = HttpResponse("\ufeff" + batch.report, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="camera-import-{pk}-rejected.csv"'
        return response


class ImportTemplateView(_ManagerMixin, View):
    def get(self, request):
        response = HttpResponse(template_xlsx(), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = 'attachment; filename="camera-import-template.xlsx"'
        return response


def _roles():
    from gridgov.core.access.grants import role_choices

    return role_choices(assignable_only=False)


class GrantsView(_ManagerMixin, View):
    """授权管理: the department's grants of its conditional cameras (give and revoke)."""

    def _render(self, request, owner, form, status=200):

        grants = (CameraGrant.objects.restrict(request.user, "change")
                  .select_related("camera", "grantee_department", "granted_by", "revoked_by")
                  .order_by("revoked_at", "-granted_at"))
        page = Paginator(grants, 50).get_page(request.GET.get("page"))
        conditional = Camera.objects.filter(owner=owner, is_active=True,
                                            sharing_type=SharingType.CONDITIONAL).count()
        return render(request, "video/grants.html", {
            "form": form, "page_obj": page, "paginator": page.paginator,
            "is_paginated": page.paginator.num_pages > 1, "owner": owner,
            "conditional": conditional,
            **nav(self.scope)}, status=status)

    def _form(self, owner, data=None):
        from gridgov.accounts.models import Department

        return GrantForm(data, departments=Department.objects.filter(is_active=True)
                         .exclude(pk=owner.pk).order_by("code"), roles=_roles())

    def get(self, request):
        owner = self.owner()
        return self._render(request, owner, self._form(owner))

    def post(self, request):
        from gridgov.accounts.models import Department

        owner = self.owner()
        form = self._form(owner, request.POST)
        if not form.is_valid():
            return self._render(request, owner, form, status=400)
        data = form.cleaned_data
        camera = None
        if data["camera"]:
            camera = (Camera.objects.restrict(request.user, "change")
                      .filter(owner=owner, code=data["camera"].strip()).first())
            if camera is None:
                form.add_error("camera", _("本部门没有这个编码的摄像头。"))
                return self._render(request, owner, form, status=400)
        department = (Department.objects.get(code=data["department"])
                      if data["department"] else None)
        try:
            actions.grant_cameras(actor=request.user, owner=owner, camera=camera,
                                  department=department, role=data["role"],
                                  reason=data["reason"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return self._render(request, owner, form, status=400)
        messages.success(request, _("已授权。"))
        return redirect("video:grants")


class RevokeGrantView(ActionView):
    """撤销授权 (a reason is required)."""

    permission = MANAGE
    model = CameraGrant

    def run(self, request, pk):
        grant = self.get_object(pk=pk)
        actions.revoke_camera_grant(grant, actor=request.user,
                                    reason=request.POST.get("reason", ""))
        return _("授权已撤销。")

    def back_url(self, request, pk):
        from django.urls import reverse

        return reverse("video:grants")


def _period(request):
    """(start, end) dates of the statistics, and an error text for a bad input."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=STATS_DEFAULT_DAYS - 1)
    end = today
    try:
        if request.GET.get("since"):
            start = dt.date.fromisoformat(request.GET["since"])
        if request.GET.get("until"):
            end = dt.date.fromisoformat(request.GET["until"])
    except ValueError:
        return None, None, _("日期格式应为 YYYY-MM-DD。")
    if start > end:
        return None, None, _("起始日期不能晚于截止日期。")
    if (end - start).days >= STATS_MAX_DAYS:
        return None, None, _("统计区间不能超过 %(n)d 天。") % {"n": STATS_MAX_DAYS}
    return start, end, ""


def department_figures(start, end) -> list[dict]:
    """Per owner department: cameras in use by status, the online rate, and the live views
    of its cameras between ``start`` and ``end`` (dates, inclusive) with distinct viewers.
    Two grouped queries."""
    from gridgov.accounts.models import Department

    counts = (Camera.objects.filter(is_active=True).values("owner")
              .annotate(total=Count("id"),
                        online=Count("id", filter=Q(status=CameraStatus.ONLINE)),
                        offline=Count("id", filter=Q(status=CameraStatus.OFFLINE)),
                        fault=Count("id", filter=Q(status=CameraStatus.FAULT))))
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    views = {row["camera__owner"]: row for row in (
        CameraView.objects.filter(issued_at__gte=since, issued_at__lt=until)
        .values("camera__owner").annotate(views=Count("id"),
                                          users=Count("user", distinct=True)))}
    by_owner = {row["owner"]: row for row in counts}
    names = Department.objects.in_bulk(set(by_owner) | set(views))
    out = []
    for pk in sorted(set(by_owner) | set(views), key=lambda p: names[p].code):
        row = by_owner.get(pk, {"total": 0, "online": 0, "offline": 0, "fault": 0})
        seen = views.get(pk, {"views": 0, "users": 0})
        out.append({
            "department": names[pk], "total": row["total"], "online": row["online"],
            "offline": row["offline"], "fault": row["fault"],
            "rate": round(100 * row["online"] / row["total"], 1) if row["total"] else None,
            "views": seen["views"], "users": seen["users"]})
    return out


class StatsView(PermissionRequiredMixin, View):
    """视频资源统计: per department, cameras by status, online rate, live views and viewers."""

    permission = VIEW_STATS

    def get(self, request):
        start, end, error = _period(request)
        rows = department_figures(start, end) if not error else []
        total = {k: sum(r[k] for r in rows) for k in ("total", "online", "offline", "fault",
                                                      "views")}
        total["rate"] = round(100 * total["online"] / total["total"], 1) if total["total"] else None
        total["users"] = (CameraView.objects.filter(
            issued_at__date__gte=start, issued_at__date__lte=end)
            .values("user").distinct().count() if not error else 0)
        chart = {"departments": [r["department"].short_name or r["department"].name
                                 for r in rows],
                 "series": [{"name": str(label), "key": key, "data": [r[key] for r in rows]}
                            for key, label in CameraStatus.choices],
                 "rate": [r["rate"] for r in rows], "rateLabel": _("在线率(%)")}
        return render(request, "video/stats.html", {
            "rows": rows, "total": total, "start": start, "end": end, "error": error,
            "chart": chart, **nav(self.scope)}, status=400 if error else 200)


class ViewLogView(PermissionRequiredMixin, View):
    """调阅记录: the live views the reader may see (their own; the owner's managers their
    cameras'; the audit administrator all)."""

    permission = (VIEW_LOG, MANAGE, USE)

    def get(self, request):
        queryset = (CameraView.objects.restrict(request.user, "view")
                    .select_related("camera", "user", "department", "event"))
        filterset = CameraViewFilterSet(request.GET or None, queryset=queryset)
        valid = not filterset.is_bound or filterset.is_valid()
        qs = filterset.qs if valid else queryset.none()
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        return render(request, "video/views.html", {
            "filter": filterset, "page_obj": page, "paginator": page.paginator,
            "is_paginated": page.paginator.num_pages > 1, "now": timezone.now(),
            **nav(self.scope)},
            status=200 if valid else 400)
