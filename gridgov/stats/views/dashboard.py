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
        })
