"""The assessment's place in the page shell: the 效能考核 menu entry and the shift leader's
appeal worklist (待审核申诉)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.web import menus, worklist


def pending_appeals(user, scope):
    """Appeals waiting for the shift leader's decision (two queries)."""
    from .choices import AppealStatus
    from .models import Appeal

    qs = Appeal.objects.restrict(user, "change").filter(status=AppealStatus.PENDING)
    count = qs.count()
    if not count:
        return
    samples = [f"{a.event.number} {a.department.name}" for a in
               qs.select_related("event", "department").order_by("submitted_at")[:5]]
    yield worklist.WorkItem(key="assess.appeals", title=str(_("待审核考核申诉")), count=count,
                            url=reverse("assess:appeals") + "?status=pending",
                            samples=samples)


def register():
    menus.register(menus.MenuItem("assess", _("效能考核"), ("assess:ranking",),
                                  permission="assess.view", order=46))
    # The system administrator (no events to assess) edits the schemes only.
    menus.register(menus.MenuItem("assess_schemes", _("考核方案"), ("assess:schemes",),
                                  permission="assess.manage_scheme", order=47))
    worklist.register("assess.appeals", permission="assess.decide_appeal", order=30)(
        pending_appeals)
