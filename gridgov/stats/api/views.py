"""The dashboard's figures as JSON (``/stats/api/summary/``): the same numbers as the page,
for the big screen, other clients and the benchmark."""

from django.http import JsonResponse

from ..cube import dashboard_cube
from ..dimensions import child_level
from ..views.base import StatsView
from ..views.dashboard import kpis, trend_chart

FIGURES = ("total", "due", "closed", "on_time", "overdue", "closed_rate", "on_time_rate",
           "hours_display")


def figures(f) -> dict:
    return {name: getattr(f, name) for name in FIGURES}


class SummaryView(StatsView):
    """KPIs of the area in the period, previous period and last year, the trend and the
    ranking of the areas one level down."""

    def bad_request(self, request):
        return JsonResponse({"errors": self.form.errors.get_json_data()}, status=400)

    def respond(self, request, query):
        level = child_level(query.area)
        cube = dashboard_cube(query, level)
        summary, ranking = cube.summary, cube.ranking
        overdue_now = query.events().overdue(query.now).count()
        return JsonResponse({
            "area": query.area, "period": {"kind": query.period.kind,
                                           "start": query.period.start.isoformat(),
                                           "end": query.period.end.isoformat()},
            "current": figures(summary.cur), "previous": figures(summary.prev),
            "year_ago": figures(summary.ya), "overdue_now": overdue_now,
            "kpis": [{k: (str(v) if k in ("label", "unit") else v) for k, v in c.items()}
                     for c in kpis(query, summary, overdue_now)],
            "trend": trend_chart(query),
            "ranking": [{"code": r.key, "name": r.label, **figures(r.cur)} for r in ranking],
        })
