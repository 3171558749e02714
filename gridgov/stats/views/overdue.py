"""超期案件 (``/stats/overdue/``): open events past their running stage's deadline, the most
overdue first; ``?export=xlsx`` gives all of them (up to ``EXPORT_LIMIT``), recorded in the
audit log by the events' export action as the search's export is."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gridgov.events.actions.exports import record_export
from gridgov.events.views.lists import detail_url

from .. import drill, export
from .base import StatsView

PAGE_LIMIT = 200
# Narrowing by the search's parameters (a department's overdue cases, one class, a source).
FILTERS = {"department": "department__code", "major": "category__major__code",
           "category": "category__code", "source": "source"}
EXPORT_LIMIT = 10000


def overdue_rows(events, now) -> list[dict]:
    out = []
    for event in events:
        late = now - event.stage_deadline
        out.append({
            "event": event, "url": detail_url(event),
            "number": event.number,
            "category": event.category.name if event.category_id else "",
            "major": event.category.major.name if event.category_id else "",
            "department": event.department.name if event.department_id else "",
            "grid": event.grid.name, "state": event.get_state_display(),
            "created": timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M"),
            "deadline": timezone.localtime(event.stage_deadline).strftime("%Y-%m-%d %H:%M"),
            "hours_late": round(late.total_seconds() / 3600, 1),
        })
    return out


HEADER = (_("事件编号"), _("事件大类"), _("事件小类"), _("责任部门"), _("所属网格"), _("状态"),
          _("上报时间"), _("环节时限"), _("超期(小时)"))
KEYS = ("number", "major", "category", "department", "grid", "state", "created", "deadline",
        "hours_late")


def _conditions(request) -> str:
    """The list's conditions (area, period, narrowing filters) as a stable query string."""
    return urlencode(sorted((key, value) for key, value in request.GET.items()
                            if key != "export" and value))


class OverdueView(StatsView):
    """The overdue list of the area (open now, whatever the period)."""

    template_name = "stats/overdue.html"

    def respond(self, request, query):
        chosen = {p: request.GET[p] for p in FILTERS if request.GET.get(p)}
        filters = {FILTERS[p]: value for p, value in chosen.items()}
        total = query.events().overdue(query.now).filter(**filters).count()
        limit = EXPORT_LIMIT if export.wants_xlsx(request) else PAGE_LIMIT
        rows = overdue_rows(query.overdue(limit, filters), query.now)
        if export.wants_xlsx(request):
            record_export(actor=request.user, query=_conditions(request), rows=len(rows),
                          capped=total > len(rows), file_format="xlsx", source="overdue")
            return export.workbook_response(
                f"{_('超期案件')}-{query.area or 'all'}.xlsx",
                [(_("超期案件"), [str(h) for h in HEADER],
                  [[r[k] for k in KEYS] for r in rows])])
        return render(request, self.template_name, {
            "form": self.form, "query": query, "period": query.period, "rows": rows,
            "total": total, "shown": len(rows), "header": HEADER,
            "all_url": drill.figure_url(query.area, None, "overdue", **chosen),
            "params": "&".join(filter(None, (self.selector_params(), urlencode(chosen)))),
        })
