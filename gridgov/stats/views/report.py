"""月度分析报告 (``/stats/report/?month=2026-11&area=…``): one month of the viewer's area as
an A4 document to print (or save as PDF from the browser).

Overview with the comparisons, the trend, the platforms, classes and sources, the ranking of
the units one level down, the hotspots, the overdue summary, and a summary in Chinese written
from those same figures (``summary_text``: no sentence without its number). Every figure
comes from the statistics' queries (``StatsQuery``, ``dashboard_cube``), as on the dashboard.
A month still running compares with the same days of the months before (``periods``).
"""

import datetime as dt
import re

from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.models import Area

from .. import drill
from ..aggregates import StatsQuery, change
from ..cube import dashboard_cube
from ..dimensions import DIMENSIONS, child_level
from ..periods import MONTH, Period, local_zone
from .base import StatsView, scope_codes
from .overdue import overdue_rows

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
TOP = 10


def _share(part, whole) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _pp(now, before) -> float | None:
    return None if now is None or before is None else round(now - before, 2)


def _figures(compared) -> dict:
    cur, prev, ya = compared.cur, compared.prev, compared.ya
    return {
        "total": cur.total, "prev_total": prev.total, "ya_total": ya.total,
        "vs_prev": change(cur.total, prev.total), "vs_year": change(cur.total, ya.total),
        "due": cur.due, "closed": cur.closed, "on_time": cur.on_time,
        "closed_rate": cur.closed_rate, "on_time_rate": cur.on_time_rate,
        "prev_on_time_rate": prev.on_time_rate, "ya_on_time_rate": ya.on_time_rate,
        "prev_closed_rate": prev.closed_rate, "ya_closed_rate": ya.closed_rate,
        # Rates compare in percentage points.
        "closed_pp_prev": _pp(cur.closed_rate, prev.closed_rate),
        "closed_pp_year": _pp(cur.closed_rate, ya.closed_rate),
        "on_time_pp_prev": _pp(cur.on_time_rate, prev.on_time_rate),
        "on_time_pp_year": _pp(cur.on_time_rate, ya.on_time_rate),
        "hours": cur.hours_display, "prev_hours": prev.hours_display,
        "overdue": cur.overdue,
    }


def _direction(value) -> str:
    if value is None:
        return ""
    if value > 0:
        return _("上升%(v)s%%") % {"v": value}
    if value < 0:
        return _("下降%(v)s%%") % {"v": -value}
    return _("持平")


def _points(now, before) -> str:
    """A rate against before, in percentage points."""
    if now is None or before is None:
        return ""
    diff = round(now - before, 2)
    if diff > 0:
        return _("较上期提高%(v)s个百分点") % {"v": diff}
    if diff < 0:
        return _("较上期下降%(v)s个百分点") % {"v": -diff}
    return _("与上期持平")


def summary_text(area_name, period, figures, majors, sources, ranking, level_label, grids,
                 overdue_now, departments) -> list[str]:
    """The report's summary, sentence by sentence, from the figures given (nothing else)."""
    f = figures
    out = []
    first = _("%(month)s,%(area)s共受理事件%(n)s件") % {
        "month": period.label(), "area": area_name, "n": f["total"]}
    if f["vs_prev"] is not None:
        first += _(",环比%(d)s(上期%(p)s件)") % {"d": _direction(f["vs_prev"]),
                                                 "p": f["prev_total"]}
    if f["vs_year"] is not None:
        first += _(",同比%(d)s(去年同期%(p)s件)") % {"d": _direction(f["vs_year"]),
                                                    "p": f["ya_total"]}
    out.append(first + _("。"))
    if f["due"]:
        text = _("应结案%(due)s件,已结案%(closed)s件,结案率%(cr)s%%;按期结案%(ot)s件,"
                 "按期结案率%(otr)s%%") % {"due": f["due"], "closed": f["closed"],
                                         "cr": f["closed_rate"], "ot": f["on_time"],
                                         "otr": f["on_time_rate"]}
        points = _points(f["on_time_rate"], f["prev_on_time_rate"])
        out.append(text + (_(",") + points if points else "") + _("。"))
    if f["hours"] is not None:
        out.append(_("已结案事件平均办结时长%(h)s小时。") % {"h": f["hours"]})
    if majors:
        text = _("事件最多的大类是%(name)s(%(n)s件,占%(p)s%%)") % {
            "name": majors[0]["label"], "n": majors[0]["total"], "p": majors[0]["share"]}
        if len(majors) > 1:
            text += _(",其次是%(name)s(%(n)s件)") % {"name": majors[1]["label"],
                                                    "n": majors[1]["total"]}
        out.append(text + _("。"))
    if sources:
        out.append(_("主要来源为%(name)s,占%(p)s%%。") % {"name": sources[0]["label"],
                                                       "p": sources[0]["share"]})
    rated = [r for r in ranking if r["on_time_rate"] is not None]
    if len(rated) > 1:
        best = max(rated, key=lambda r: (r["on_time_rate"], r["due"]))
        worst = min(rated, key=lambda r: (r["on_time_rate"], -r["due"]))
        out.append(_("各%(level)s中按期结案率最高的是%(best)s(%(br)s%%),最低的是%(worst)s"
                     "(%(wr)s%%)。") % {"level": level_label, "best": best["label"],
                                        "br": best["on_time_rate"], "worst": worst["label"],
                                        "wr": worst["on_time_rate"]})
    if grids:
        out.append(_("上报最多的网格是%(name)s(%(n)s件)。") % {"name": grids[0]["label"],
                                                          "n": grids[0]["total"]})
    if f["overdue"]:
        out.append(_("本月上报的事件中仍有%(n)s件超期未办结。") % {"n": f["overdue"]})
    text = _("截至报告生成时,辖区共有%(n)s件事件超期未办结") % {"n": overdue_now}
    if departments and overdue_now:
        text += _(",其中%(name)s最多(%(k)s件)") % {"name": departments[0]["label"],
                                                   "k": departments[0]["n"]}
    out.append(text + _("。"))
    return out


def _rows(compared_rows, total) -> list[dict]:
    return [{"key": r.key, "label": r.label, "total": r.cur.total,
             "share": _share(r.cur.total, total), "vs_prev": r.vs_prev(),
             "closed_rate": r.cur.closed_rate, "on_time_rate": r.cur.on_time_rate}
            for r in compared_rows if r.cur.total]


def report_data(query: StatsQuery, area_name: str) -> dict:
    """The report's figures: ``dashboard_cube`` (overview, ranking, classes, sources), the
    platform breakdown, the trend, the top grids, the repeated places, the overdue list."""
    period = query.period
    level = child_level(query.area)
    cube = dashboard_cube(query, level)
    figures = _figures(cube.summary)
    total = figures["total"]
    majors = _rows(cube.majors, total)
    sources = _rows(cube.sources, total)
    platforms = _rows(query.breakdown(DIMENSIONS["platform"]), total)
    ranking = sorted(
        ({"key": r.key, "label": r.label, "total": r.cur.total, "due": r.cur.due,
          "closed_rate": r.cur.closed_rate, "on_time_rate": r.cur.on_time_rate,
          "hours": r.cur.hours_display, "overdue": r.cur.overdue, "vs_prev": r.vs_prev(),
          "url": drill.figure_url(r.key, period, "total")}
         for r in cube.ranking if r.cur.total),
        key=lambda r: (r["on_time_rate"] is None, -(r["on_time_rate"] or 0), -r["due"]))
    counts = query.breakdown_counts(DIMENSIONS["grid"], TOP)
    names = dict(Area.objects.filter(code__in=list(counts)).values_list("code", "name"))
    grids = [{"key": code, "label": names.get(code, code), "total": n,
              "url": drill.figure_url(code, period, "total")} for code, n in counts.items()]
    places = query.repeated_places(TOP)[:TOP]
    overdue = query.events().overdue(query.now)
    overdue_now = overdue.count()
    departments = [{"label": r["department__name"] or _("(未派遣部门)"), "n": r["n"]}
                   for r in overdue.values("department__name").annotate(n=Count("id"))
                   .order_by("-n", "department__name")[:5]]
    unit, trend = query.trend()
    chart = {"labels": [b.start.strftime("%d") for b, _f in trend],
             "reported": [f.total for _b, f in trend], "closed": [f.closed for _b, f in trend],
             "on_time": [f.on_time for _b, f in trend],
             "majors": [{"name": m["label"], "value": m["total"]} for m in majors[:TOP]],
             "sources": [{"name": s["label"], "value": s["total"]} for s in sources]}
    level_label = str(DIMENSIONS[level].label)
    return {
        "figures": figures, "majors": majors, "sources": sources, "platforms": platforms,
        "ranking": ranking, "level_label": level_label, "grids": grids, "places": places,
        "overdue_now": overdue_now, "departments": departments,
        "overdue": overdue_rows(query.overdue(TOP), query.now), "chart": chart,
        "trend_total": sum(chart["reported"]),
        "summary": summary_text(area_name, period, figures, majors, sources, ranking,
                                level_label, grids, overdue_now, departments),
    }


def parse_month(value: str, today: dt.date) -> Period | None:
    """``YYYY-MM`` (default: the month before ``today``) as a month, None when malformed."""
    if not value:
        return Period.containing(MONTH, today.replace(day=1) - dt.timedelta(days=1))
    match = MONTH_RE.match(value)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        return None
    return Period.containing(MONTH, dt.date(int(match[1]), int(match[2]), 1))


class ReportView(StatsView):
    """The monthly report of one area (default: the viewer's own) and month (default: last
    month)."""

    template_name = "stats/report.html"

    def get(self, request, *args, **kwargs):
        now = timezone.now()
        period = parse_month(request.GET.get("month", ""), timezone.localdate(now, local_zone()))
        if period is None:
            return render(request, self.template_name, {
                "error": _("月份格式应为 YYYY-MM,例如 2026-11。"), "field": "month",
                "month": request.GET.get("month", "")}, status=400)
        codes = scope_codes(self.scope)
        area = request.GET.get("area", "") or (codes[0] if len(codes) == 1 else "")
        if area and not self.scope.covers(area, "events.view", department_bound=False):
            raise Http404(_("没有这个区域,或不在您的管辖范围内。"))
        query = StatsQuery(request.user, area, period, now=now)
        name = (Area.objects.filter(code=area).values_list("name", flat=True).first()
                if area else None) or _("全部辖区")
        return render(request, self.template_name, {
            "query": query, "period": period, "area_name": name, "area": area,
            "month": f"{period.start:%Y-%m}", "running": period.is_running(
                timezone.localdate(now, local_zone())),
            "generated": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
            "report": report_data(query, name),
        })
