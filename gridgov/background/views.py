"""后台作业 pages: my jobs, one job with its progress bar and result, the progress fragment
the pages poll (htmx), and cancel.

A page that starts a job (the audit verification, ...) shows the same fragment
(``background/_progress.html``) and reloads itself when the job ends, to show the result
its own way; the job's page shows any job's result through its kind's summary.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from gridgov.core.views import ActionView, PermissionRequiredMixin

from . import actions, files, registry
from .models import BackgroundJob

# A page polling a job's progress asks this often (milliseconds).
POLL_MS = 1000


def job_context(job) -> dict:
    kind = registry.get(job.kind)
    summary = []
    if kind is not None and kind.summary and job.result is not None:
        summary = kind.summary(job.result)
    download_url = ""
    if files.download_available(job):
        # Signed when the page is drawn: a link copied elsewhere stops working soon.
        download_url = (f"{reverse('background:download', args=[job.uid])}"
                        f"?t={files.download_token(job)}")
    return {"job": job, "kind_label": kind.label if kind else job.kind, "summary": summary,
            "poll_ms": POLL_MS, "download_url": download_url}


class MyJobsView(PermissionRequiredMixin, ListView):
    """The jobs the person started, newest first."""

    template_name = "background/list.html"
    context_object_name = "jobs"
    paginate_by = 50

    def get_queryset(self):
        return BackgroundJob.objects.restrict(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["labels"] = {name: kind.label for name, kind in registry.KINDS.items()}
        return ctx


class JobDetailView(PermissionRequiredMixin, DetailView):
    """One job: progress while it runs, its result when it is done."""

    template_name = "background/detail.html"
    slug_field = slug_url_kwarg = "uid"

    def get_queryset(self):
        return BackgroundJob.objects.restrict(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(job_context(self.object))
        return ctx


def progress_fragment(request, uid):
    """The progress fragment alone (polled). When the job has ended, ``HX-Refresh`` tells the
    page to reload and show the result its own way."""
    if not request.user.is_authenticated:
        from django.http import HttpResponse

        return HttpResponse(status=401)
    job = get_object_or_404(BackgroundJob.objects.restrict(request.user), uid=uid)
    response = render(request, "background/_progress.html", job_context(job))
    if job.finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


class CancelJobView(ActionView):
    """取消: ask the job to stop."""

    model = BackgroundJob

    def run(self, request, uid):
        job = self.get_object(uid=uid)
        actions.cancel_job(job, actor=request.user)
        return _("已请求取消作业。")

    def back_url(self, request, *args, **kwargs):
        from django.urls import reverse

        from gridgov.core.views import safe_next

        return safe_next(request, reverse("background:job", args=[kwargs["uid"]]))


def download(request, uid):
    """下载: an export job's file, for the person who started it, with a fresh signed link
    from the job's page (``files.token_ok``); anyone else, or an old link, gets 404."""
    if not request.user.is_authenticated:
        raise Http404
    job = get_object_or_404(BackgroundJob.objects.restrict(request.user), uid=uid)
    if not files.download_available(job) or not files.token_ok(request.GET.get("t", ""),
                                                                 job, request.user):
        raise Http404(_("下载链接无效或已过期,请回到作业页面重新下载。"))
    result = job.result
    response = FileResponse(files.default_storage.open(result["file"], "rb"),
                            as_attachment=True, filename=result.get("filename") or "export",
                            content_type=result.get("content_type") or None)
    response["Cache-Control"] = "no-store"
    return response
