"""指挥大屏 (``/stats/screen/``): the command room's wall screen, scoped to the viewer's area.

A dark full-screen page for a 1920×1080 wall (readable at 1440): the open events on the map
over the area's outlines, the counters, the due-soon and overdue alerts, the last 7 days and
the grid workers on duty. ``screen.js`` asks the JSON endpoint (``stats.api.screen``) every
``GRIDGOV_SCREEN_REFRESH_SECONDS`` and updates everything in place (one chart instance, the
lists' contents replaced, markers updated by id): no reload, no growing page.

Idle sessions: the screen's polls are sent WITHOUT ``X-GG-Background``, so they count as
activity (``core.middleware.SessionIdleTimeoutMiddleware``): a screen left open stays signed
in, for at most ``SESSION_COOKIE_AGE`` after sign-in (8 h), like any session. It is a page a
person opens on purpose to watch, not a tab forgotten in the background; the wall's session is
still the person's, with only their own area on it. When the session does end, the screen says
so and stops asking.

On duty ("where known"): a grid worker counts as on duty when they did something on a case in
the area within ``DUTY_HOURS`` (reported, verified, completed: an ``EventStep`` of theirs). The
system records no sign-in shifts or positions; the legend says so.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Count, Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from gridgov.accounts.choices import Role
from gridgov.areas.models import Area
from gridgov.core.views import PermissionRequiredMixin
from gridgov.events import deadlines
from gridgov.events.choices import FINAL_STATES, DeadlineStatus, State
from gridgov.events.models import EventStep
from gridgov.events.views.lists import detail_url
from gridgov.web.basemap import basemap_config

from ..aggregates import StatsQuery
from ..periods import CUSTOM, DAY, Period, local_zone
from .base import PERMISSION, scope_codes

DUTY_HOURS = 4
ALERTS = 30
MAP_LIMIT = 1500
WORKERS = 30
TREND_DAYS = 7
OPEN = ~Q(state__in=sorted(FINAL_STATES))


def refresh_seconds() -> int:
    return max(1, int(getattr(settings, "GRIDGOV_SCREEN_REFRESH_SECONDS", 30)))


def screen_area(scope, requested: str = "") -> str | None:
    """The area on the screen: the one asked for when inside the viewer's scope (None when
    not), else their own area ("" for several)."""
    if requested:
        return requested if scope.covers(requested, "events.view", department_bound=False) \
            else None
    codes = scope_codes(scope)
    return codes[0] if len(codes) == 1 else ""


def counters(events, now, today: dt.date) -> dict:
    """Today reported, open, due soon, overdue, 督办 (open), closed today: one query."""
    start, end = Period(DAY, today, today).bounds()
    in_today = Q(created_at__gte=start, created_at__lt=end)
    closed_today = Q(state=State.CLOSED, closed_at__gte=start, closed_at__lt=end)
    return events.filter(in_today | OPEN | closed_today).aggregate(
        today=Count("id", filter=in_today),
        open=Count("id", filter=OPEN),
        due_soon=Count("id", filter=deadlines.due_soon_q(now)),
        overdue=Count("id", filter=deadlines.overdue_q(now)),
        supervised=Count("id", filter=OPEN & Q(supervised=True)),
        closed_today=Count("id", filter=closed_today),
    )


def alerts(events, now) -> list[dict]:
    """The open cases due soon or overdue, the earliest deadline first (one query)."""
    rows = (events.filter(deadlines.overdue_q(now) | deadlines.due_soon_q(now))
            .select_related("category", "grid")
            .only("id", "number", "state", "stage_deadline", "supervised", "category__name",
                  "grid__name")
            .order_by("stage_deadline", "id")[:ALERTS])
    out = []
    for event in rows:
        late = event.stage_deadline <= now
        minutes = int(abs((now - event.stage_deadline).total_seconds()) // 60)
        out.append({
            "id": event.pk, "number": event.number, "url": detail_url(event),
            "category": event.category.name if event.category_id else "",
            "grid": event.grid.name if event.grid_id else "",
            "status": DeadlineStatus.OVERDUE.value if late else DeadlineStatus.DUE_SOON.value,
            "minutes": minutes, "supervised": event.supervised,
            "deadline": timezone.localtime(event.stage_deadline).strftime("%m-%d %H:%M"),
        })
    return out


def points(events, now) -> list[list]:
    """The open events on the map: [id, lat, lng, mark] (mark: overdue, due_soon, open)."""
    rows = (events.filter(OPEN).annotate(_mark=deadlines.status_expression(now))
            .order_by("stage_deadline", "-id").values_list("id", "lat", "lng", "_mark")
            [:MAP_LIMIT])
    keep = {DeadlineStatus.OVERDUE.value, DeadlineStatus.DUE_SOON.value}
    return [[pk, round(lat, 6), round(lng, 6), mark if mark in keep else "open"]
            for pk, lat, lng, mark in rows if lat is not None and lng is not None]


def trend(user, area, now, today) -> dict:
    """Reported and closed per day over the last 7 days (the stats' trend query)."""
    period = Period(CUSTOM, today - dt.timedelta(days=TREND_DAYS - 1), today)
    _unit, days = StatsQuery(user, area, period, now=now).trend()
    return {"labels": [bucket.start.strftime("%m-%d") for bucket, _f in days],
            "reported": [f.total for _b, f in days], "closed": [f.closed for _b, f in days]}


def on_duty(user, area, now) -> dict:
    """Grid workers with a step on a case of the area in the last ``DUTY_HOURS``: name, the
    number of steps, the time of the last one (one query)."""
    since = now - dt.timedelta(hours=DUTY_HOURS)
    steps = EventStep.objects.restrict(user, "view").filter(
        at__gte=since, actor__assignments__role=Role.GRID_WORKER)
    if area:
        steps = steps.filter(area_code__startswith=area)
    rows = list(steps.values("actor_id", "actor__real_name", "actor__username")
                .annotate(n=Count("id", distinct=True), last=Max("at"))
                .order_by("-last", "actor_id"))
    return {"count": len(rows), "hours": DUTY_HOURS, "items": [{
        "name": r["actor__real_name"] or r["actor__username"], "steps": r["n"],
        "last": timezone.localtime(r["last"]).strftime("%H:%M")} for r in rows[:WORKERS]]}


def screen_data(user, area: str, now=None) -> dict:
    """Everything the screen shows, for ``area`` ("" = all of the viewer's scope)."""
    now = now or timezone.now()
    today = timezone.localdate(now, local_zone())
    events = StatsQuery(user, area, Period(DAY, today, today), now=now).events()
    return {
        "area": area, "updated": timezone.localtime(now).strftime("%H:%M:%S"),
        "refresh": refresh_seconds(),
        "counters": counters(events, now, today),
        "alerts": alerts(events, now),
        "points": points(events, now),
        "trend": trend(user, area, now, today),
        "duty": on_duty(user, area, now),
    }


def _data_url() -> str:
    for name in ("stats-screen", "stats:screen_data"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/stats/api/screen/"


class ScreenView(PermissionRequiredMixin, TemplateView):
    """指挥大屏: the page; its figures come from the JSON endpoint (first answer inlined, so
    the wall shows numbers at once)."""

    permission = PERMISSION
    template_name = "stats/screen.html"

    def get(self, request, *args, **kwargs):
        from django.http import Http404

        self.area = screen_area(self.scope, request.GET.get("area", ""))
        if self.area is None:
            raise Http404(_("没有这个区域,或不在您的管辖范围内。"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        area = (Area.objects.filter(code=self.area).values("name", "geometry").first()
                if self.area else None)
        url = _data_url() + (f"?area={self.area}" if self.area else "")
        try:
            outlines = reverse("area-geojson")
        except NoReverseMatch:
            outlines = ""
        ctx["area_name"] = area["name"] if area else _("全部辖区")
        ctx["config"] = {
            "dataUrl": url, "refreshSeconds": refresh_seconds(), "areasUrl": outlines,
            "area": self.area, "areaGeometry": area["geometry"] if area else None,
            # Its points and outlines are WGS-84: GCJ-02 tiles are left out.
            "basemap": basemap_config(self.request, wgs84_only=True, overlays=False),
            "dutyHours": DUTY_HOURS,
            "text": {
                "overdue": _("已超期"), "due_soon": _("即将到期"), "supervised": _("督办"),
                "late": _("超期 %(t)s"), "left": _("剩余 %(t)s"), "minutes": _("%(n)s分钟"),
                "hours": _("%(h)s小时%(m)s分"), "reported": _("上报"), "closed": _("结案"),
                "noAlerts": _("暂无即将到期或超期的案件"), "noDuty": _("暂无记录"),
                "updated": _("更新于 %(t)s"), "failed": _("更新失败,稍后自动重试"),
                "signedOut": _("登录已过期,请重新登录后打开大屏"), "steps": _("%(n)s次办件"),
                "points": _("地图上共 %(n)s 件"),
            },
        }
        ctx["first"] = screen_data(self.request.user, self.area)
        return ctx
