"""The data resource centre's place in the page shell: its menu entries, and 待办 on 首页
(share requests waiting for the provider's answer, disputes waiting for the coordinating
department).

Registered from ``SharingConfig.ready()`` (docs/architecture.md, "Menus and worklists").
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.web.menus import MenuItem
from gridgov.web.menus import register as register_menu
from gridgov.web.worklist import DANGER, WARN, WorkItem, url_or_none
from gridgov.web.worklist import register as register_work

from .choices import RequestStatus
from .models import ShareRequest
from .permissions import ANSWER, COORDINATE, EXCHANGE_PAGES, SHARING_WORK, VIEW_CATALOG

SAMPLE_SIZE = 5


def register() -> None:
    register_menu(MenuItem("sharing_catalog", _("数据资源目录"), ("sharing:catalog",),
                           permission=VIEW_CATALOG, order=50))
    register_menu(MenuItem("sharing_requests", _("共享申请"), ("sharing:requests",),
                           permission=SHARING_WORK, order=51))
    register_menu(MenuItem("sharing_exchanges", _("交换记录"), ("sharing:exchanges",),
                           permission=EXCHANGE_PAGES, order=52))
    register_work("sharing.to_answer", permission=ANSWER, order=60)(requests_to_answer)
    register_work("sharing.disputes", permission=COORDINATE, order=61)(disputes_to_resolve)


def requests_to_answer(user, scope):
    """Provider: pending requests for the department's resources (overdue ones first)."""
    if not scope.department_can(ANSWER):
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


def disputes_to_resolve(user, scope):
    """Coordinating department: disputes waiting for its decision."""
    if not scope.department_can(COORDINATE):
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
