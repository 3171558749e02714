"""The visits app's place in the page shell: the 走访 / 走访计划 menu entries and the field
terminal's home section (今日应走访 · 逾期, order 40)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.web import menus

from .permissions import MANAGE_PLANS, VIEW, VISIT

HOME_ITEMS = 3


def today_section(request):
    """今日应走访 N · 逾期 M for whoever visits (two queries: the counts, the first rows)."""
    from gridgov.core.access import get_scope
    from gridgov.field.today import TodayItem, TodaySection

    from .models import VisitSchedule

    scope = get_scope(request.user)
    if scope is None or not scope.can(VISIT):
        return None
    today = timezone.localdate()
    qs = (VisitSchedule.objects.restrict(request.user, "change")
          .filter(governing=True, closed_at__isnull=True, next_due__lte=today))
    counts = qs.aggregate(total=Count("id"), overdue=Count("id", filter=Q(next_due__lt=today)))
    if not counts["total"]:
        return None
    items = []
    for row in qs.select_related("person", "plan__tag").order_by("next_due", "id")[:HOME_ITEMS]:
        days = row.days_overdue(today)
        items.append(TodayItem(
            title=row.person.name, subtitle=row.plan.tag.name,
            url=reverse("field:visits-person", args=[row.person_id]),
            badge=(_("逾期 %(n)d 天") % {"n": days}) if days else _("今日"),
            overdue=bool(days)))
    return TodaySection(
        key="visits",
        title=_("今日应走访"),
        count=counts["total"], url=reverse("field:visits-list"), items=items,
        overdue=counts["overdue"])


def register():
    from gridgov.field import today

    menus.register(menus.MenuItem("visits", gettext_lazy("走访"), ("visits:overdue",),
                                  permission=VIEW, order=44))
    menus.register(menus.MenuItem("visits_plans", gettext_lazy("走访计划"), ("visits:plans",),
                                  permission=MANAGE_PLANS, order=48))
    today.register("visits", order=40)(today_section)
