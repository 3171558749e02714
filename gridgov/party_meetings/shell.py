"""The 三会一课 app's place in the page shell: the requirement editor's entry for the
administrator, and the secretary's waiting work (organisations overdue a required meeting).
The meetings themselves are a section of 党建 (``gridgov.party.sections``)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.web import menus, worklist

from .permissions import MANAGE, MANAGE_REQUIREMENTS

SAMPLES = 5


def overdue_meetings(user, scope):
    """逾期未开会的党组织: the organisations of the secretary's areas overdue a required
    meeting, the most overdue first (the overdue list's three queries)."""
    from .overdue import due_rows

    rows = due_rows(user)
    if not rows:
        return
    yield worklist.WorkItem(
        key="party_meetings.overdue", title=_("逾期未开会的党组织"),
        count=len({r.organisation.pk for r in rows}),
        url=reverse("party_meetings:overdue"),
        samples=[_("%(org)s · %(kind)s · 逾期 %(n)d 天") % {
            "org": r.organisation.name, "kind": r.kind_label, "n": r.days_overdue}
            for r in rows[:SAMPLES]])


def register():
    menus.register(menus.MenuItem("party_meetings_requirements", gettext_lazy("三会一课频次"),
                                  ("party_meetings:requirements",),
                                  permission=MANAGE_REQUIREMENTS, order=51))
    # Who organises the meetings sees the overdue ones on their home page.
    worklist.register("party_meetings.overdue", permission=MANAGE, order=44)(overdue_meetings)
