"""Basic-data import pages: the upload form, the import's background job followed on the
same page (``?job=<uid>``, a progress bar, then the result), the result page with its
rejected-row report, and the empty templates.

The upload is kept in storage (``background.files``) and imported by the ``basedata.import``
job (``basedata/jobs.py``) through ``importers.run_import``: one transaction, as before.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core import throttle, uploads
from gridgov.core.views import ScopedDetailView

from . import access, importers
from .forms import UploadForm
from .models import ImportBatch


class ImportView(LoginRequiredMixin, View):
    """Upload CSV or XLSX; every row checked; the result page links the rejected rows.

    The upload is kept in storage and imported by a background job (``basedata.import``,
    ``basedata/jobs.py``): the page follows it (``?job=<uid>``) with a progress bar, then
    goes to the import's result page, or shows why the file was refused."""

    def _page(self, request, form, status=200, job=None, errors=()):
        from gridgov.background.views import job_context

        context = {"form": form, "batches": ImportBatch.objects.restrict(request.user)[:10],
                   "kinds": importers.KINDS, "file_errors": errors}
        if job is not None:
            context.update(job_context(job))
        return render(request, "basedata/import.html", context, status=status)

    def get(self, request):
        if not access.can_change(request.user):
            raise Http404
        uid = request.GET.get("job", "")
        if not uid:
            return self._page(request, UploadForm())
        job = _import_job(request, uid)
        result = job.result or {}
        if job.status == "done" and result.get("batch"):
            return redirect("basedata:import-result", pk=result["batch"])
        if result.get("errors"):
            # The file was refused as a whole (format, encoding, a limit): bad input.
            return self._page(request, UploadForm(), status=400, job=job,
                              errors=result["errors"])
        return self._page(request, UploadForm(), job=job)

    def post(self, request):
        if not access.can_change(request.user):
            raise Http404
        from gridgov.background.actions import submit_job
        from gridgov.background.files import save_upload

        form = UploadForm(request.POST, request.FILES)
        # GRIDGOV_RATE_IMPORT per person, shared by every worker: each import holds one.
        decision = throttle.check_import(request)
        if not decision.allowed:
            form.add_error(None, _("导入过于频繁,请 %(m)d 分钟后再试。")
                           % {"m": decision.retry_minutes})
            response = self._page(request, form, status=429)
            response["Retry-After"] = str(decision.retry_after)
            return response
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > uploads.max_upload_bytes():
                # Refused on the size Django counted while spooling, before reading it.
                form.add_error("file", uploads.too_large_message())
            else:
                path = save_upload(upload.read(), upload.name)
                job = submit_job("basedata.import", actor=request.user, params={
                    "kind": form.cleaned_data["kind"], "upload": path,
                    "filename": upload.name[:200]})
                return redirect(f"{reverse('basedata:import')}?job={job.uid}")
        return self._page(request, form, status=400)


def _import_job(request, uid):
    """The person's own import job ``uid`` (404 for another's, or a malformed uid)."""
    from gridgov.background.models import BackgroundJob

    try:
        job = (BackgroundJob.objects.restrict(request.user)
               .filter(kind="basedata.import", uid=uid).first())
    except ValidationError:
        job = None  # not a UUID
    if job is None:
        raise Http404(_("没有这个导入作业。"))
    return job


class ImportResultView(ScopedDetailView):
    model = ImportBatch
    template_name = "basedata/import_result.html"
    context_object_name = "batch"


class ImportReportView(LoginRequiredMixin, View):
    def get(self, request, pk):
        batch = get_object_or_404(ImportBatch.objects.restrict(request.user), pk=pk)
        response = HttpResponse("\ufeff" + importers.report_csv(batch),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="rejected-{batch.pk}.csv"'
        return response


class ImportTemplateView(LoginRequiredMixin, View):
    def get(self, request, kind):
        if kind not in importers.KINDS:
            raise Http404
        response = HttpResponse("\ufeff" + importers.template_csv(kind),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
        return response
