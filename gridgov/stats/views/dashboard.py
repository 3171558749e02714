"""统计分析 dashboard (``/stats/``): KPI cards, trend, classes, sources, the area ranking.

Every number and chart element links to the cases behind it (``drill``). The page runs a
fixed number of queries whatever the data: one scan for the summary, the ranking and the
class and source charts (``cube``; plus the ranking's area names), the trend, the overdue
count and the area selector.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import drill, tables
from ..aggregates import change
from ..cube import dashboard_cube
from ..dimensions import DIMENSIONS, child_level
from ..periods import DAY, MONTH, WEEK
from .base import StatsView

CHART_TOP = 10
RANKING_TOP = 30  # all 17 streets of the district; a street's communities


def kpis(query, summary, overdue_now) -> list[dict]:
    """The cards: value, label, change against the previous period and last year, link."""
    cur, prev, ya = summary.cur, summary.prev, summary.ya
    area, period = query.area, query.period

    def card(label, value, before, year, measure, unit=""):
        return {"label": label, "value": value, "unit": unit,
                "vs_prev": change(value, before), "vs_year": change(value, year),
                "prev": before, "year": year,
                "url": drill.figure_url(area, period, measure) if measure else None}

    return [
        card(_("上报数"), cur.total, prev.total, ya.total, "total"),
        card(_("结案数"), cur.closed, prev.closed, ya.closed, "closed"),
        card(_("结案率"), cur.closed_rate, prev.closed_rate, ya.closed_rate, "closed", "%"),
        card(_("按期结案率"), cur.on_time_rate, prev.on_time_rate, ya.on_time_rate, "on_time",
             "%"),
        card(_("平均办结时长"), cur.hours_display, prev.hours_display, ya.hours_display,
             "closed", _("小时")),
        {"label": _("当前超期未办结"), "value": overdue_now, "unit": "", "vs_prev": None,
         "vs_year": None, "danger": bool(overdue_now),
         "url": drill.figure_url(area, None, "overdue")},
    ]


def trend_chart(query) -> dict:
    unit, points = query.trend()
    fmt = {DAY: "%m-%d", WEEK: "%m-%d", MONTH: "%Y-%m"}[unit]
    return {
        "unit": unit,
        "labels": [bucket.start.strftime(fmt) for bucket, _f in points],
        "series": [
            {"name": _("上报数"), "data": [f.total for _b, f in points]},
            {"name": _("结案数"), "data": [f.closed for _b, f in points]},
            {"name": _("按期结案数"), "data": [f.on_time for _b, f in points]},
        ],
        "urls": [drill.figure_url(query.area, bucket, "total") for bucket, _f in points],
    }


def breakdown_chart(query, key, rows, top=CHART_TOP) -> dict:
    dimension = DIMENSIONS[key]
    rows = [r for r in rows if r.cur.total][:top]
    return {"name": str(dimension.label),
            "items": [{"name": r.label, "value": r.cur.total,
                       "url": drill.figure_url(query.area, query.period, "total",
                                               **dimension.drill(r.key))} for r in rows]}


class DashboardView(StatsView):
    """统计分析: the figures of the person's area in a period, against the previous period
    and the same period last year."""

    template_name = "stats/dashboard.html"

    def respond(self, request, query):
        level = child_level(query.area)
        cube = dashboard_cube(query, level)
        summary, ranking = cube.summary, cube.ranking
        overdue_now = query.events().overdue(query.now).count()
        charts = {
            "trend": trend_chart(query),
            "major": breakdown_chart(query, "major", cube.majors),
            "source": breakdown_chart(query, "source", cube.sources),
            "ranking": breakdown_chart(query, level, ranking, RANKING_TOP),
        }
        return render(request, self.template_name, {
            "form": self.form, "query": query, "period": query.period,
            "kpis": kpis(query, summary, overdue_now),
            "charts": charts,
            "level": DIMENSIONS[level],
            "columns": tables.RANKING_COLUMNS,
            "ranking": tables.compared_rows(ranking, DIMENSIONS[level], query,
                                            tables.RANKING_COLUMNS),
            "dimensions": DIMENSIONS.values(),
            "params": self.selector_params(),
            # A period not over compares with the same elapsed days (periods.py).
            "running": query.period.is_running(period_today(query.now)),
        })


# --- the leader's home page --------------------------------------------------------------

HOME_WORST = 5
HOME_OVERDUE = 10


def home_area(scope) -> str:
    """The area a leader's home page shows: their one area, or "" (all of several)."""
    from .base import scope_codes

    codes = scope_codes(scope)
    return codes[0] if len(codes) == 1 else ""


def home_board(user, scope, now=None) -> dict:
    """首页 of a holder of ``stats.view``: this month's KPI cards of their own area against
    the same days of last month, the five units one level down with the worst on-time rate,
    the ten most overdue cases and the links to the statistics. Four queries (the dashboard
    cube, the units' names, the classes' names, the live counts) plus the overdue list."""
    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.http import urlencode

    from gridgov.events import deadlines
    from gridgov.events.choices import FINAL_STATES
    from gridgov.events.open_cases import open_q

    from ..aggregates import StatsQuery
    from ..periods import Period, local_zone
    from .overdue import overdue_rows

    now = now or timezone.now()
    area = home_area(scope)
    period = Period.containing(MONTH, timezone.localdate(now, local_zone()))
    query = StatsQuery(user, area, period, now=now)
    level = child_level(area)
    cube = dashboard_cube(query, level)
    cur, prev = cube.summary.cur, cube.summary.prev
    # Both figures are of open cases: the open-case condition lets an index skip the history.
    live = query.events().filter(open_q()).aggregate(
        overdue=Count("id", filter=deadlines.overdue_q(now)),
        supervised=Count("id", filter=Q(supervised=True) & ~Q(state__in=sorted(FINAL_STATES))))

    def card(key, label, value, before, measure, unit=""):
        return {"key": key, "label": label, "value": value, "unit": unit,
                "vs_prev": change(value, before) if before is not None else None,
                "url": drill.figure_url(area, period, measure)}

    cards = [
        card("total", _("本月上报"), cur.total, prev.total, "total"),
        card("closed_rate", _("结案率"), cur.closed_rate, prev.closed_rate, "closed", "%"),
        card("on_time_rate", _("按期结案率"), cur.on_time_rate, prev.on_time_rate, "on_time",
             "%"),
        {"key": "overdue", "label": _("超期未办结"), "value": live["overdue"], "unit": "",
         "vs_prev": None, "danger": bool(live["overdue"]), "now": True,
         "url": drill.figure_url(area, None, "overdue")},
        {"key": "supervised", "label": _("督办中"), "value": live["supervised"], "unit": "",
         "vs_prev": None, "now": True,
         "url": drill.search_url(within=area or None, supervised="true",
                                 state=_open_states())},
    ]
    dimension = DIMENSIONS[level]
    rated = [r for r in cube.ranking if r.cur.due]
    rated.sort(key=lambda r: (r.cur.on_time_rate, -r.cur.due, r.key))
    worst = [{
        "key": r.key, "label": r.label, "due": r.cur.due, "on_time": r.cur.on_time,
        "rate": r.cur.on_time_rate, "prev_rate": r.prev.on_time_rate,
        "overdue": r.cur.overdue,
        "stats_url": reverse("stats:dashboard") + "?" + urlencode({"area": r.key}),
        "due_url": drill.figure_url(area, period, "total", **dimension.drill(r.key)),
        "late_url": drill.figure_url(r.key, period, "late"),
        "overdue_url": drill.figure_url(r.key, period, "overdue"),
    } for r in rated[:HOME_WORST]]
    params = urlencode({"area": area}) if area else ""
    links = [(_("统计分析"), reverse("stats:dashboard") + (f"?{params}" if params else "")),
             (_("大屏"), reverse("stats:screen")),
             (_("月度报告"), reverse("stats:report") + "?" + urlencode(
                 {"month": _last_month(period.start), **({"area": area} if area else {})}))]
    return {
        "period": period, "running": period.is_running(period_today(now)), "cards": cards,
        "level": dimension, "worst": worst,
        "overdue": overdue_rows(query.overdue(HOME_OVERDUE), now),
        "overdue_url": reverse("stats:overdue") + (f"?{params}" if params else ""),
        "links": [{"label": label, "url": url} for label, url in links],
    }


def _open_states() -> list[str]:
    from gridgov.events.choices import FINAL_STATES, State

    return [s.value for s in State if s not in FINAL_STATES]


def _last_month(first_day) -> str:
    """The month before the one starting on ``first_day`` (a whole month to report on)."""
    import datetime as dt

    return f"{first_day - dt.timedelta(days=1):%Y-%m}"


def period_today(now):
    from django.utils import timezone

    from ..periods import local_zone

    return timezone.localdate(now, local_zone())
