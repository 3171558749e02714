"""Intake pages (issue 3, item 2): grid worker report, public resident report, hotline
upload, and duplicate suggestions with one-click merge.

- ``/events/report/``: the grid worker's report form (mobile first: one column, GPS button,
  camera capture).
- ``/events/public/report/``: residents, no account. Contact optional and kept private; no
  captcha, but each client address may submit only ``GRIDGOV_PUBLIC_REPORT_LIMIT`` reports per
  ``GRIDGOV_PUBLIC_REPORT_WINDOW`` seconds (default 5 per 10 minutes), counted on the shared
  throttle (``gridgov.core.throttle``: Redis or the database, the same count in every worker).
  A hidden one-time token makes a double submit create one event.
- ``/events/hotline/upload/``: the intake clerk uploads 81890 / 12345 records (CSV or .xlsx)
  and downloads the per-cell error report; uploads count against ``GRIDGOV_RATE_IMPORT``.
- ``/events/<id>/duplicates/``: likely duplicates of an event, merged with one click.

Every write calls ``gridgov.events.intake`` / ``hotline`` / ``duplicates``, which call the
actions. Pages open by permission: ``events.report_patrol``, ``events.record_hotline``,
``events.find_duplicates``.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core import personal_data, throttle, uploads
from gridgov.core.views import PermissionRequiredMixin

from .. import duplicates
from ..actions import hotline, intake
from ..attachments import ACCEPT
from ..choices import Nature, Urgency
from ..models import Event, MinorCategory
from .lists import detail_url

ERROR_REPORT_SECONDS = 3600
DEFAULT_PUBLIC_LIMIT = 5
DEFAULT_PUBLIC_WINDOW = 600


def error_messages(exc) -> dict:
    """{field: [messages]} of a ValidationError (non-field errors under "form")."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"form": exc.messages}




def _categories():
    return (MinorCategory.objects.filter(is_active=True, major__is_active=True)
            .select_related("major").order_by("major__code", "code"))


def _form_context(request, values=None, errors=None, **extra) -> dict:
    context = {
        "values": values or {},
        "errors": errors or {},
        "categories": _categories(),
        "natures": Nature.choices,
        "urgencies": Urgency.choices,
        "accept": ACCEPT,
        "form_token": uuid.uuid4().hex,
        "tile_url": settings.GRIDGOV_TILE_URL,
        "tile_crs": settings.GRIDGOV_TILE_CRS,
        "tile_attribution": settings.GRIDGOV_TILE_ATTRIBUTION,
    }
    context.update(extra)
    return context


def _point_values(post) -> dict:
    return {"lng": post.get("lng", ""), "lat": post.get("lat", ""),
            "crs": post.get("crs") or "wgs84"}


# --- grid worker ----------------------------------------------------------------------------


class GridReportView(PermissionRequiredMixin, View):
    """The grid worker's report form."""

    permission = "events.report_patrol"
    template_name = "events/intake/report.html"

    def get(self, request):
        return render(request, self.template_name, _form_context(request))

    def post(self, request):
        post = request.POST
        try:
            result = intake.report_by_grid_worker(
                actor=request.user, description=post.get("description"),
                category=post.get("category") or None, nature=post.get("nature"),
                urgency=post.get("urgency") or None, address=post.get("address"),
                uploads=request.FILES.getlist("attachments"),
                idempotency_key=post.get("form_token") or None, **_point_values(post))
        except ValidationError as exc:
            return render(request, self.template_name,
                          _form_context(request, post, error_messages(exc)), status=400)
        except intake.IdempotencyMismatch:
            messages.warning(request, _("该表单已提交过,请重新填写。"))
            return redirect("events:report")
        return render(request, "events/intake/reported.html", {
            "event": result.event, "detail_url": detail_url(result.event),
            "again_url": reverse("events:report")})


# --- residents ------------------------------------------------------------------------------


def _limit() -> tuple[int, int]:
    return (int(getattr(settings, "GRIDGOV_PUBLIC_REPORT_LIMIT", DEFAULT_PUBLIC_LIMIT)),
            int(getattr(settings, "GRIDGOV_PUBLIC_REPORT_WINDOW", DEFAULT_PUBLIC_WINDOW)))


def count_submission(request, bucket: str = "public-report") -> throttle.Decision:
    """Count one submission from the request's client address on the shared throttle
    (a fixed window); refused once over the limit.

    ``bucket`` keeps separate counts per kind of public form (reports, evaluations)."""
    limit, window = _limit()
    return throttle.hit(bucket, throttle.client_address(request), limit=limit, window=window)


def refund_submission(request, bucket: str = "public-report") -> None:
    """Take back the count of a submission that was refused (invalid, or a stale form): only
    accepted reports use up a resident's limit (issue 11, item 7)."""
    _limit_count, window = _limit()
    throttle.refund(bucket, throttle.client_address(request), window=window)


def _too_many(request, template, decision, message):
    response = render(request, template, _form_context(
        request, request.POST, {"form": [message % {"m": decision.retry_minutes}]}), status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response


class PublicReportView(View):
    """The residents' page: no account, contact optional and private, rate-limited."""

    template_name = "events/intake/public_report.html"

    def get(self, request):
        return render(request, self.template_name, _form_context(request))

    def post(self, request):
        message = _("提交过于频繁,请 %(m)d 分钟后再试。如情况紧急请拨打 12345 热线。")
        # Every post counts against the higher flood limit; the resident's own limit counts
        # accepted reports only: a refused form gives its count back below.
        flood = throttle.check("public-posts", throttle.client_address(request))
        if not flood.allowed:
            return _too_many(request, self.template_name, flood, message)
        decision = count_submission(request)
        if not decision.allowed:
            return _too_many(request, self.template_name, decision, message)
        try:
            return self._submit(request)
        except Exception:
            # A server error is not the resident's doing either.
            refund_submission(request)
            raise

    def _submit(self, request):
        post = request.POST
        try:
            result = intake.report_by_resident(
                description=post.get("description"), nature=post.get("nature"),
                address=post.get("address"), reporter_name=post.get("reporter_name"),
                reporter_phone=post.get("reporter_phone"),
                uploads=request.FILES.getlist("attachments"),
                form_token=post.get("form_token") or None, **_point_values(post))
        except ValidationError as exc:
            refund_submission(request)
            return render(request, self.template_name,
                          _form_context(request, post, error_messages(exc)), status=400)
        except intake.IdempotencyMismatch:
            refund_submission(request)
            return render(request, self.template_name, _form_context(
                request, post, {"form": [_("该表单已提交过,请刷新页面后重新填写。")]}),
                status=400)
        response = render(request, "events/intake/public_done.html", {
            "event": result.event, "held": result.held,
            "has_phone": bool(result.event.reporter_phone_hash),
            "track_url": _track_url(request, result.public_token)})
        # The page holds the secret tracking link: never kept by a shared cache.
        response["Cache-Control"] = "private, no-store"
        return response


def _track_url(request, token) -> str:
    """The absolute address of the resident's tracking link ("" when there is none)."""
    if not token:
        return ""
    return request.build_absolute_uri(reverse("events:public_track", args=[token]))


# --- hotline upload -------------------------------------------------------------------------


def _report_key(token) -> str:
    return f"gridgov:hotline-errors:{token}"


class HotlineUploadView(PermissionRequiredMixin, View):
    """The intake clerk's CSV / Excel upload of hotline records, with the error report."""

    permission = "events.record_hotline"
    template_name = "events/intake/hotline_upload.html"

    def get(self, request):
        return render(request, self.template_name, {})

    def post(self, request):
        decision = throttle.check_import(request)
        if not decision.allowed:
            response = render(request, self.template_name, {"file_error": _(
                "导入过于频繁,请 %(m)d 分钟后再试。") % {"m": decision.retry_minutes}}, status=429)
            response["Retry-After"] = str(decision.retry_after)
            return response
        upload = request.FILES.get("file")
        if upload is None:
            return render(request, self.template_name,
                          {"file_error": _("请选择要上传的 CSV 或 Excel 文件。")}, status=400)
        if upload.size > uploads.max_upload_bytes():
            # GRIDGOV_MAX_UPLOAD_BYTES, on the size Django counted: refused before reading.
            return render(request, self.template_name,
                          {"file_error": uploads.too_large_message()}, status=400)
        try:
            result = hotline.import_file(upload.name, upload.read(), actor=request.user)
        except ValidationError as exc:
            return render(request, self.template_name,
                          {"file_error": ";".join(exc.messages)}, status=400)
        token = ""
        if result.errors:
            token = uuid.uuid4().hex
            # The rejected rows hold callers' phones as typed, and the cache may be Redis:
            # kept encrypted, like a basic-data import's report.
            csv_text = hotline.error_report_csv(result).decode("utf-8")
            report = personal_data.encrypt(csv_text, "import_report")
            cache.set(_report_key(token), (request.user.pk, report), ERROR_REPORT_SECONDS)
        return render(request, self.template_name, {
            "result": result, "token": token, "file_name": upload.name})


class HotlineErrorsView(PermissionRequiredMixin, View):
    """The rejected rows of an upload as CSV (only for the clerk who uploaded, for an hour)."""

    permission = "events.record_hotline"

    def get(self, request, token):
        stored = cache.get(_report_key(token))
        if stored is None or stored[0] != request.user.pk:
            raise Http404
        report = personal_data.decrypt(stored[1], "import_report").encode("utf-8")
        response = HttpResponse(report, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="hotline-errors.csv"'
        return response


class HotlineTemplateView(PermissionRequiredMixin, View):
    """An empty upload template (CSV with the header row and one example)."""

    permission = "events.record_hotline"

    def get(self, request):
        response = HttpResponse(hotline.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="hotline-template.csv"'
        return response


# --- duplicates -----------------------------------------------------------------------------


class DuplicatesView(PermissionRequiredMixin, View):
    """Likely duplicates of an event, with a one-click merge into it."""

    permission = "events.find_duplicates"
    template_name = "events/intake/duplicates.html"

    def _event(self, pk):
        return get_object_or_404(
            Event.objects.restrict(self.request.user).select_related("category", "grid"), pk=pk)

    def get(self, request, pk):
        event = self._event(pk)
        return render(request, self.template_name, {
            "event": event, "suggestions": duplicates.suggest(event, user=request.user),
            "contact": intake.contact_display(event, request.user),
            "detail_url": detail_url(event)})

    def post(self, request, pk):
        event = self._event(pk)
        ids = [int(v) for v in request.POST.getlist("duplicates") if v.isdigit()]
        chosen = list(Event.objects.restrict(request.user).filter(pk__in=ids))
        try:
            duplicates.merge(event, chosen, actor=request.user)
        except ValidationError as exc:
            messages.error(request, ";".join(exc.messages))
        else:
            messages.success(request, _("已将 %(n)d 件重复事件合并到 %(number)s。")
                             % {"n": len(chosen), "number": event.number})
        return redirect("events:duplicates", pk=event.pk)


urlpatterns = [
    path("report/", GridReportView.as_view(), name="report"),
    path("public/report/", PublicReportView.as_view(), name="public_report"),
    path("hotline/upload/", HotlineUploadView.as_view(), name="hotline_upload"),
    path("hotline/upload/<str:token>/errors.csv", HotlineErrorsView.as_view(),
         name="hotline_errors"),
    path("hotline/template.csv", HotlineTemplateView.as_view(), name="hotline_template"),
    path("<int:pk>/duplicates/", DuplicatesView.as_view(), name="duplicates"),
]
