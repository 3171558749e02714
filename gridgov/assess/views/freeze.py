"""生成考核快照: the ranking page's button that freezes the selected period under the selected
scheme as a background job (``assess.freeze``), and the job's progress on the ranking page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.stats.periods import CUSTOM

from .base import AssessView

KIND = "assess.freeze"


class FreezeView(AssessView):
    """POST with the ranking page's selector in the query string; the job's page is the
    ranking page itself (``?job=<uid>``), which shows the progress and then the version."""

    permission = "assess.freeze"

    def get(self, request, *args, **kwargs):
        raise Http404

    def post(self, request):
        from gridgov.background.actions import submit_job

        if not self.read(request):
            return self.bad_request(request)
        back = f"{reverse('assess:ranking')}?{self.params(mode='frozen', version='')}"
        if self.period.kind == CUSTOM:
            messages.error(request, _("自定义时段不能生成考核快照,请选择日、周、月、季度或年。"))
            return redirect(back)
        try:
            job = submit_job(KIND, actor=request.user, params={
                "period_kind": self.period.kind, "day": self.period.start.isoformat(),
                "scheme": self.scheme.pk})
        except ValidationError as exc:
            messages.error(request, ";".join(exc.messages))
            return redirect(back)
        return redirect(f"{back}&job={job.uid}")


def freeze_job(request) -> dict:
    """The freeze job of ``?job=<uid>`` (the person's own) for the ranking page, or ``{}``."""
    from gridgov.background.models import BackgroundJob
    from gridgov.background.views import job_context

    uid = request.GET.get("job", "")
    if not uid:
        return {}
    try:
        job = BackgroundJob.objects.restrict(request.user).filter(kind=KIND, uid=uid).first()
    except ValidationError:
        job = None
    if job is None:
        raise Http404(_("没有这个快照作业。"))
    return job_context(job)
