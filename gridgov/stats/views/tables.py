"""分类统计 (``/stats/table/<dimension>/``): the figures per area, class, source, nature,
department or state, against the previous period and last year; ``?export=xlsx`` gives the
same rows as a workbook."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import export, tables
from ..dimensions import DIMENSIONS
from .base import StatsView


class BreakdownView(StatsView):
    """The table of one dimension, every count linking to its cases."""

    template_name = "stats/table.html"

    def get(self, request, *args, **kwargs):
        self.dimension = DIMENSIONS.get(kwargs["dimension"])
        if self.dimension is None:
            raise Http404(_("没有这种统计维度。"))
        return super().get(request, *args, **kwargs)

    def respond(self, request, query):
        rows = tables.compared_rows(query.breakdown(self.dimension), self.dimension, query)
        sort = request.GET.get("sort", "")
        if sort.lstrip("-") not in {c.key for c in tables.COMPARED_COLUMNS}:
            sort = ""
        rows = tables.sort_rows(rows, sort)
        if export.wants_xlsx(request):
            header, body = tables.compared_sheet(rows, self.dimension.label)
            title = _("按%(dim)s统计") % {"dim": self.dimension.label}
            return export.workbook_response(
                f"{title}-{query.area or 'all'}-{query.period.label()}.xlsx",
                [(title, header, body)])
        return render(request, self.template_name, {
            "form": self.form, "query": query, "period": query.period,
            "dimension": self.dimension, "dimensions": DIMENSIONS.values(),
            "columns": tables.COMPARED_COLUMNS, "rows": rows,
            "params": self.selector_params(), "sort": sort, "sortable": True,
        })
