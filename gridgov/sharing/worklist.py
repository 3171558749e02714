"""待办 of the data resource centre: share requests waiting for the provider's answer, and
disputes waiting for the coordinating department."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import Role
from gridgov.web.worklist import DANGER, WARN, WorkItem, register, url_or_none

from .choices import RequestStatus
from .models import ShareRequest

SAMPLE_SIZE = 5


@register("sharing.to_answer", roles={Role.DATA_OFFICER, Role.DEPT_ADMIN}, order=60)
def requests_to_answer(user, scope):
    """Provider: pending requests for the department's resources (overdue ones first)."""
    if scope.department_id is None:
        return
    qs = ShareRequest.objects.filter(resource__provider_id=scope.department_id,
                                     status=RequestStatus.PENDING)
    rows = list(qs.order_by("answer_deadline").values_list(
        "resource__name", "consumer__name", "answer_deadline")[:SAMPLE_SIZE])
    count = qs.count() if rows else 0
    overdue = qs.overdue().count() if rows else 0
    yield WorkItem(
        key="sharing.to_answer", title=_("待答复的共享申请"), count=count,
        url=url_or_none("sharing:requests", "?role=provider&status=pending"),
        severity=DANGER if overdue else WARN,
        note=_("应在 10 个工作日内答复;拒绝须说明理由。已超期 %(n)d 件。") % {"n": overdue},
        samples=[
            f"{consumer} · {name}" + (
                f"({timezone.localtime(due):%m-%d} 前)" if due else "")
            for name, consumer, due in rows
        ],
    )


@register("sharing.disputes", roles={Role.DATA_OFFICER, Role.DEPT_ADMIN}, order=61)
def disputes_to_resolve(user, scope):
    """Coordinating department: disputes waiting for its decision."""
    if scope.department_id is None:
        return
    qs = ShareRequest.objects.filter(coordinator_id=scope.department_id,
                                     status=RequestStatus.DISPUTED)
    rows = list(qs.values_list("resource__name", "consumer__name")[:SAMPLE_SIZE])
    yield WorkItem(
        key="sharing.disputes", title=_("待协调的共享异议"), count=qs.count() if rows else 0,
        url=url_or_none("sharing:requests", "?role=coordinator&status=disputed"),
        severity=WARN, note=_("申请部门对拒绝或超期未答复提出异议,请协调处理。"),
        samples=[f"{consumer} · {name}" for name, consumer in rows],
    )
