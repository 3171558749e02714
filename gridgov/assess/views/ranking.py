"""考核排名: every subject of one kind, scored and ranked, with each indicator; Excel export."""

import io

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.core.spreadsheet import safe_row, sheet_title

from .. import compute
from .. import indicators as ind
from ..choices import SubjectKind
from .base import AssessView
from .freeze import freeze_job

COLUMNS = ("reported", "due", "closed", "closed_rate", "closed_on_time_rate", "handled_rate",
           "handled_on_time_rate", "rework_rate", "extension_rate", "overdue_pending_rate",
           "filed_on_time_rate", "dispatch_accuracy", "accept_hours", "handle_hours")
WORKER_COLUMNS = ("reported", "self_resolved", "verifications", "collected", "closed_rate",
                  "handled_rate", "rework_rate", "overdue_pending_rate")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def columns(kind: str) -> list:
    codes = WORKER_COLUMNS if kind == SubjectKind.WORKER else COLUMNS
    return [ind.CATALOG[c] for c in codes]


def results_for(view) -> list:
    """The ranked subjects of the selection; frozen workers keep their stored workload."""
    results = compute.ranking(view.source, view.kind, view.items)
    if view.snapshot is not None and view.kind == SubjectKind.WORKER and results:
        stored = dict(view.snapshot.results.filter(kind=SubjectKind.WORKER,
                                                   subject__in=[r.key for r in results])
                      .values_list("subject", "figures"))
        for r in results:
            r.workload = (stored.get(r.key) or {}).get("workload", {})
    return results


def sort_results(results, sort: str):
    if not sort:
        return results
    code = sort.lstrip("-")
    if code not in ind.CATALOG and code not in ("score", "label"):
        return results
    def key(r):
        if code == "score":
            value = r.score
        elif code == "label":
            value = r.label
        else:
            value = r.value(code)
        return (value is None, value if value is not None else 0)
    ordered = sorted(results, key=key, reverse=sort.startswith("-"))
    # no value stays last whichever way
    return [r for r in ordered if key(r)[0] is False] + [r for r in ordered if key(r)[0]]


class RankingView(AssessView):
    template_name = "assess/ranking.html"

    def respond(self, request):
        results = sort_results(results_for(self), request.GET.get("sort", ""))
        cols = columns(self.kind)
        if request.GET.get("export") == "xlsx":
            return export(self, results, cols)
        rows = [{"result": r, "values": [r.value(c.code) for c in cols],
                 "explain": reverse("assess:explain", args=[self.kind, r.key])
                 + "?" + self.params()} for r in results]
        chart = {"labels": [r.label for r in results[:20] if r.score is not None],
                 "scores": [r.score for r in results[:20] if r.score is not None]}
        items = [{"label": ind.label(i["indicator"]), "weight": i["weight"],
                  "inverse": i["direction"] == "inverse"} for i in self.items]
        return render(request, self.template_name, {
            **self.base_context(), "rows": rows, "columns": cols, "chart": chart,
            "kinds": SubjectKind.choices, "sort": request.GET.get("sort", ""),
            "scheme_items": items,
            "kind_params": {k: self.params(kind=k) for k, _label in SubjectKind.choices},
            "live_params": self.params(mode="live", version=""),
            "frozen_params": self.params(mode="frozen"),
            "can_freeze": self.scope.can("assess.freeze"), **freeze_job(request),
        })


def export(view, results, cols) -> HttpResponse:
    """The ranking as an XLSX workbook: the numbers on the screen, cells made safe."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(_("考核排名"))
    source = (_("快照 第%(v)s版") % {"v": view.snapshot.version} if view.snapshot
              else _("实时计算"))
    sheet.append(safe_row([_("考核周期"), view.period.label(), _("方案"), view.scheme.name,
                           _("数据"), source]))
    sheet.append(safe_row([_("排名"), _("名称"), _("编码"), _("得分"),
                           *[str(c.label) for c in cols]]))
    for r in results:
        sheet.append(safe_row([r.rank, r.label, r.key, r.score,
                               *[r.value(c.code) for c in cols]]))
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    name = f"assessment-{view.kind}-{view.period.start:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
