"""The patrols app's place in the page shell: the 巡查记录 menu entry (command room, leaders,
grid chiefs) and the field home screen's patrol status (order 5: "巡查中 · 已 35 分钟 ·
1.2 km", or a link to start one)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gridgov.web import menus

FIELD_URL = "/m/patrol/"


def patrol_status(request):
    """The worker's patrol status on the home screen (one query; None: not a patroller)."""
    from gridgov.core.access import get_scope
    from gridgov.field.today import TodayItem, TodaySection

    from .choices import PatrolState
    from .models import Patrol
    from .permissions import PATROL

    scope = get_scope(request.user)
    if scope is None or not scope.can(PATROL):
        return None
    active = (Patrol.objects.filter(worker=request.user, state=PatrolState.ACTIVE)
              .only("started_at", "distance_m", "state").first())
    if active is None:
        return TodaySection(key="patrol", title=_("巡查"), count=0, url=FIELD_URL, items=[
            TodayItem(title=_("开始巡查"), url=FIELD_URL, subtitle=_("记录巡查时长与轨迹"))])
    minutes = active.elapsed_s() // 60
    line = _("巡查中 · 已 %(m)s 分钟 · %(km).1f km") % {"m": minutes,
                                                      "km": active.distance_m / 1000}
    return TodaySection(key="patrol", title=_("巡查"), count=1, url=FIELD_URL, items=[
        TodayItem(title=line, url=FIELD_URL, subtitle=_("点此查看轨迹或结束巡查"),
                  badge=_("巡查中"))])


def register():
    from gridgov.field import today

    from .permissions import PATROL, VIEW

    menus.register(menus.MenuItem("patrols", _lazy("巡查记录"), ("patrols:list",),
                                  permission=(VIEW, PATROL), order=48))
    today.register("patrol", order=5)(patrol_status)
