"""定时任务: the system administrator's page over the scheduled jobs (``core.periodic``).

Each job with its interval, who runs it (the server's scheduler thread, or Celery beat when a
broker is configured), its last run's start, duration and result or error, and when it is due
next; "run now" runs one under its shared lock (``core.actions.run_job_now``, audited).
"""

from django.conf import settings
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from gridgov.core import actions as core_actions
from gridgov.core import scheduler
from gridgov.core.models import JobState
from gridgov.core.views import ActionView, PermissionRequiredMixin


def runner_labels() -> dict:
    return {"scheduler": _("服务进程调度线程"), "server": _("服务进程"),
            "beat": _("后台调度进程"), "manual": _("手动运行")}


def interval_text(seconds: int) -> str:
    """每 15 分钟, 每 1 小时, 每 45 秒: the interval as a person reads it."""
    if seconds % 3600 == 0:
        return _("每 %(n)d 小时") % {"n": seconds // 3600}
    if seconds % 60 == 0:
        return _("每 %(n)d 分钟") % {"n": seconds // 60}
    return _("每 %(n)d 秒") % {"n": seconds}


def job_rows() -> list[dict]:
    """Every registered job with its shared row (one query)."""
    jobs = scheduler.load_jobs()
    states = {s.name: s for s in JobState.objects.filter(name__in=list(jobs))}
    runners = runner_labels()
    rows = []
    for name, job in sorted(jobs.items(), key=lambda item: str(item[1].label)):
        state = states.get(name)
        rows.append({"name": name, "label": job.label, "interval": job.interval(),
                     "interval_text": interval_text(job.interval()), "state": state,
                     "runner": runners.get(state.last_runner, "") if state else ""})
    return rows


class JobListView(PermissionRequiredMixin, TemplateView):
    """The scheduled jobs and their last runs."""

    permission = "core.view_jobs"
    template_name = "accounts/job_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = job_rows()
        ctx["broker"] = bool(getattr(settings, "CELERY_BROKER_URL", ""))
        ctx["scheduler_on"] = scheduler.enabled()
        ctx["can_run"] = self.scope.can("core.run_jobs")
        return ctx


class RunJobView(ActionView):
    """立即运行: one job now."""

    permission = "core.run_jobs"
    success_url = "/accounts/jobs/"

    def run(self, request, name):
        outcome = core_actions.run_job_now(name, actor=request.user)
        if outcome["busy"]:
            return _("该任务正在其他进程中运行,本次未重复运行。")
        if not outcome["ok"]:
            from django.core.exceptions import ValidationError

            raise ValidationError(_("任务运行失败,错误已记录在任务列表中。"))
        return _("任务已运行:%(r)s") % {"r": outcome["result"] or _("完成")}
