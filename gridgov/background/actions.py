"""Verbs of background jobs: submit one, cancel one (each audited)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core.access import require
from gridgov.core.actors import acting_user

from . import registry, runner
from .choices import JobStatus
from .models import BackgroundJob


def submit_job(kind: str, *, actor, params: dict | None = None) -> BackgroundJob:
    """Queue a piece of work of ``kind`` for ``actor`` (who must hold the kind's permission)
    and start it once the submission is committed; the job's page follows it."""
    spec = registry.get(kind)
    if spec is None:
        raise ValidationError({"kind": _("没有这种后台作业:%(k)s。") % {"k": kind}})
    require(actor, spec.permission)
    params = dict(params or {})
    unknown = sorted(set(params) - set(spec.params))
    if unknown:
        raise ValidationError({"params": _("不支持的参数:%(p)s。") % {"p": "、".join(unknown)}})
    user = acting_user(actor)
    if user is None:
        raise PermissionDenied(_("后台作业须由登录的用户提交。"))
    with transaction.atomic():
        job = BackgroundJob.objects.create(kind=kind, params=params, created_by=user,
                                           message=_("排队中"))
        record("background.submit", actor=actor, object_type="background.job",
               object_id=str(job.uid), object_repr=str(spec.label),
               after={"kind": kind, "params": params})
        if runner.mode() != "inline":
            transaction.on_commit(lambda: runner.dispatch(job.pk))
    if runner.mode() == "inline":
        # Tests and commands: the work runs now, in the caller's transaction.
        runner.run(job.pk)
        job.refresh_from_db()
    return job


def cancel_job(job: BackgroundJob, *, actor) -> BackgroundJob:
    """Ask a job to stop: a queued one is cancelled at once, a running one at its next
    progress report; a finished one is left as it is (a clear error)."""
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().get(pk=job.pk)
        if job.finished:
            raise ValidationError({"status": _("作业已结束,无法取消。")})
        if job.status == JobStatus.QUEUED:
            job.status = JobStatus.CANCELLED
            job.finished_at = timezone.now()
        job.cancel_requested = True
        job.save(update_fields=["status", "finished_at", "cancel_requested", "updated_at"])
        record("background.cancel", actor=actor, object_type="background.job",
               object_id=str(job.uid), after={"status": job.status})
    return job
