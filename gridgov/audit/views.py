"""The audit administrator's pages: the log with filters, one record with its difference, a
CSV export of the filtered log, and "verify now". Whoever lacks the page's permission gets 404,
like a missing page (the log does not even admit it exists).
"""

import datetime as dt
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from gridgov.core.views import (
    PermissionRequiredMixin,
    ScopedDetailView,
    ScopedListView,
    refuse_export,
)

from . import labels
from .actions import record_export
from .chain import GENESIS, record_hash
from .export import csv_lines
from .filtersets import AuditRecordFilterSet
from .keys import Keyring
from .models import (
    AuditAnchor,
    AuditCheckpoint,
    AuditPurgeMark,
    AuditRecord,
    AuditVerification,
    ChainHead,
)


class AuditPermissionMixin(PermissionRequiredMixin):
    """The permission gate of the audit pages, answering 404 instead of 403."""

    permission = "audit.view_log"

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            raise Http404 from None


def _filterset(request, queryset):
    return AuditRecordFilterSet(request.GET or None, queryset=queryset)


def _querystring(request, drop=("page",)) -> str:
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    return params.urlencode()


class AuditRecordListView(AuditPermissionMixin, ScopedListView):
    """The audit log, newest first, filtered by the shared FilterSet."""

    model = AuditRecord
    template_name = "audit/record_list.html"
    context_object_name = "records"
    paginate_by = 50

    def get_queryset(self):
        queryset = super().get_queryset().order_by("-id")
        self.filterset = _filterset(self.request, queryset)
        if self.filterset.is_bound and not self.filterset.is_valid():
            return queryset.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filterset.form
        context["querystring"] = _querystring(self.request)
        return context


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _local_time(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _local_time(text: str) -> str:
    """A sealed ISO time with its offset (stored in UTC) as local time; other text as is."""
    if len(text) < 19 or text[4:5] != "-" or "T" not in text:
        return text
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        return text
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


class AuditRecordDetailView(AuditPermissionMixin, ScopedDetailView):
    """One record: who, when, what, the before/after difference and its place in the chain."""

    model = AuditRecord
    template_name = "audit/record_detail.html"
    context_object_name = "record"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rec = self.object
        rows = []
        changes = rec.changes if isinstance(rec.changes, dict) else {"": rec.changes}
        for field, value in sorted(changes.items()):
            # (key, its name on the object's model, before, after)
            name = labels.field_label(rec.object_type, field) if field else field
            if isinstance(value, list) and len(value) == 2:
                rows.append((field, name, _display(value[0]), _display(value[1])))
            else:
                rows.append((field, name, "", _display(value)))
        context["diff_rows"] = rows
        # The record's own links (the whole log is checked on the verify page), under the
        # current key or a retired one (whether it may still carry that is the verify page's).
        context["hash_ok"] = Keyring().which(
            rec.hash, lambda key: record_hash(rec, rec.prev_hash, key)) is not None
        previous = AuditRecord.objects.filter(chain_key=rec.chain_key, seq=rec.seq - 1).first()
        if previous is not None:
            expected_prev = previous.hash
        elif rec.seq == 1:
            expected_prev = GENESIS
        else:
            head = ChainHead.objects.filter(chain_key=rec.chain_key).first()
            expected_prev = head.purged_hash if head and head.purged_seq == rec.seq - 1 else None
        context["link_ok"] = rec.prev_hash == expected_prev
        context["previous"] = previous
        context["next"] = AuditRecord.objects.filter(chain_key=rec.chain_key,
                                                     seq=rec.seq + 1).first()
        return context


class AuditRecordExportView(AuditPermissionMixin, ScopedListView):
    """The filtered log as CSV (UTF-8 with BOM, so Excel reads the Chinese), streamed.

    Up to ``GRIDGOV_EXPORT_INLINE_ROWS`` records (2,000) the file is streamed in the request;
    a longer log is written by a background job (``audit.export``, ``audit/jobs.py``) whose
    page offers the download. Either way the export is audited here, when it is asked for."""

    permission = "audit.export_log"
    model = AuditRecord

    def get(self, request, *args, **kwargs):
        from gridgov.background.actions import submit_job
        from gridgov.background.files import export_in_background, seal_query

        refused = refuse_export(request)
        if refused is not None:
            return refused
        filterset = _filterset(request, self.get_queryset())
        if filterset.is_bound and not filterset.is_valid():
            return HttpResponseBadRequest(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()),
                content_type="text/plain; charset=utf-8",
            )
        filters = filterset.form.cleaned_data if filterset.is_bound else {}
        record_export(actor=request.user, filters=filters, fmt="csv")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        filename = f"audit-{stamp}.csv"
        if export_in_background(filterset.qs):
            job = submit_job("audit.export", actor=request.user,
                             params={"query": seal_query(request), "filename": filename})
            return redirect("background:job", uid=job.uid)
        response = StreamingHttpResponse(csv_lines(filterset.qs, bom=True),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class VerifyView(AuditPermissionMixin, TemplateView):
    """"Verify now": recompute every link and seal and show the first broken one, if any.

    The run is a background job (``background.kinds.verify_audit``): a log of millions of
    records takes minutes, so the page shows the job's progress and, once it is done, the
    verdict (``?job=<uid>``); the job survives a restart of the server and can be cancelled.
    The page's run is always full (every record recomputed); the page says so, and shows the
    last successful run, full or incremental (``gridgov audit verify``).
    """

    permission = "audit.verify_chain"

    template_name = "audit/verify.html"

    def get_context_data(self, **kwargs):
        from gridgov.background.models import BackgroundJob
        from gridgov.background.views import job_context

        context = super().get_context_data(**kwargs)
        context["last_anchor"] = AuditAnchor.objects.order_by("-day").first()
        context["anchor_count"] = AuditAnchor.objects.count()
        context["last_checkpoint"] = AuditCheckpoint.objects.order_by("-day", "-upto_id").first()
        context["last_purge"] = AuditPurgeMark.objects.order_by("-cut_day").first()
        # The last successful run, full or incremental (what an incremental run builds on).
        context["last_verification"] = AuditVerification.objects.order_by("-id").first()
        uid = self.request.GET.get("job", "")
        if uid:
            try:
                job = (BackgroundJob.objects.restrict(self.request.user)
                       .filter(kind="audit.verify", uid=uid).first())
            except ValidationError:
                job = None  # not a UUID
            if job is None:
                raise Http404(_("没有这个校验作业。"))
            context.update(job_context(job))
            if job.status == "done" and job.result is not None:
                context["result"] = job.result
                context["checked_at"] = job.finished_at
                context["verdict"] = _("完整") if job.result["ok"] else _("发现篡改")
        return context

    def post(self, request, *args, **kwargs):
        from gridgov.background.actions import submit_job

        job = submit_job("audit.verify", actor=request.user)
        return redirect(f"{reverse('audit:verify')}?job={job.uid}")
