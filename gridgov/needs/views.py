"""Pages of needs analysis and of the party-building / proactive-services statistics.

- ``/needs/``: the needs of an area over months: the resident group × need matrix (ECharts
  heatmap), the trend by month, the child areas with their top needs (each a link to drill
  in), masked sample texts; 立即更新 for the administrator (``needs.manage``).
- ``/needs/overview/``: 党建与主动服务统计, per child area of the chosen area (``overview``).

An area outside the person's scope answers 404, like a missing one; bad input answers 400
with the field's error on the form.
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core.views import ActionView, PermissionRequiredMixin

from . import actions, overview
from .forms import DEFAULT_MONTHS, NeedsForm, add_months, first_of_month
from .permissions import MANAGE, VIEW, VIEW_OVERVIEW
from .queries import NeedsReport
from .rollup import refreshed_at

SELECTABLE_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)


def area_choices(user, codes, chosen: str = "") -> list[tuple[str, str]]:
    """The person's areas and the streets and communities inside them, plus the chosen area
    when it is a grid (reached by drilling down) — one query."""
    if not codes:
        return []
    inside = Q()
    for code in codes:
        inside |= Q(code__startswith=code)
    levels = Q(level__in=SELECTABLE_LEVELS) | Q(code__in=codes)
    if len(chosen) == 15 and any(chosen.startswith(c) for c in codes):
        levels |= Q(code=chosen)
    areas = (Area.objects.current().filter(inside).filter(levels)
             .order_by("code").values_list("code", "name"))
    out = [] if len(codes) == 1 else [("", _("全部"))]
    for code, name in areas:
        indent = "\u3000" * ((len(code) - len(codes[0])) // 3) if len(codes) == 1 else ""
        out.append((code, f"{indent}{name}"))
    return out


class SelectorView(PermissionRequiredMixin, View):
    """A page with the area / months selector; ``respond`` gets the cleaned selection."""

    permission = VIEW
    template_name = ""

    def read(self, request):
        codes = self.scope.codes_for(self.permission)
        end = first_of_month(timezone.localdate())
        defaults = {"area": codes[0] if len(codes) == 1 else "",
                    "start": add_months(end, 1 - DEFAULT_MONTHS).strftime("%Y-%m"),
                    "end": end.strftime("%Y-%m")}
        given = {k: v for k, v in request.GET.items() if v != ""}
        if "end" in given and "start" not in given:
            del defaults["start"]  # six months up to the end asked for (NeedsForm.clean)
        self.form = NeedsForm({**defaults, **given},
                              area_choices=area_choices(request.user, codes,
                                                        given.get("area", "")))
        if not self.form.is_valid():
            return None
        area = self.form.cleaned_data.get("area") or ""
        if area and not self.scope.covers(area, self.permission):
            raise Http404(_("没有这个区域,或不在您的管辖范围内。"))
        return area, self.form.cleaned_data["start"], self.form.cleaned_data["end"]

    def params(self, **extra) -> str:
        data = {k: self.form.data.get(k) for k in ("area", "start", "end")}
        data.update(extra)
        return urlencode({k: v for k, v in data.items() if v})

    def get(self, request):
        selection = self.read(request)
        if selection is None:
            return render(request, self.template_name, {"form": self.form, "invalid": True},
                          status=400)
        return self.respond(request, *selection)

    def area_name(self, code: str) -> str:
        if not code:
            return _("全部区域")
        return (Area.objects.filter(code=code).order_by("-valid_from")
                .values_list("name", flat=True).first() or code)


class NeedsView(SelectorView):
    """群众需求分析: the needs of an area over months."""

    template_name = "needs/needs.html"

    def respond(self, request, area, start, end):
        report = NeedsReport(request.user, area, start, end)
        categories = report.categories()
        category = None
        code = request.GET.get("category") or ""
        if code:
            category = next((c for c in categories if c.code == code), None)
            if category is None:
                self.form.add_error(None, _("没有这个需求分类。"))
                return render(request, self.template_name, {"form": self.form,
                                                            "invalid": True}, status=400)
        matrix = report.matrix()
        groups = report.groups({g for g, _c in matrix})
        trend = report.trend()
        children = report.children(categories)
        months = [m.strftime("%Y-%m") for m in report.months]
        totals = {c.pk: sum(n for (_m, cid), n in trend.items() if cid == c.pk)
                  for c in categories}
        chart = {
            "groups": groups,
            "categories": [c.name for c in categories],
            "cells": [[ci, gi, matrix.get((g, c.pk), 0)] for gi, g in enumerate(groups)
                      for ci, c in enumerate(categories)],
            "months": months,
            "trend": [{"name": c.name, "data": [trend.get((m, c.pk), 0)
                                                for m in report.months]}
                      for c in categories if totals[c.pk]],
            "empty": _("所选区域和月份没有需求记录。"),
        }
        rows = [{"group": g, "cells": [(c.name, matrix.get((g, c.pk), 0)) for c in categories]}
                for g in groups]
        for child in children:
            child.url = f"{reverse('needs:index')}?{self.params(area=child.code)}"
        parent = area[:-3] if len(area) > 9 else (area[:6] if len(area) == 9 else "")
        can_go_up = bool(parent) and self.scope.covers(parent, VIEW)
        return render(request, self.template_name, {
            "form": self.form, "area": area, "area_name": self.area_name(area),
            "start": start, "end": end, "categories": categories, "groups": groups,
            "rows": rows, "children": children, "chart": chart,
            "totals": [(c, totals[c.pk]) for c in categories],
            "total": sum(totals.values()),
            "category": category, "samples": report.samples(category),
            "params": self.params(),
            "up_url": (f"{reverse('needs:index')}?{self.params(area=parent)}"
                       if can_go_up else ""),
            "refreshed_at": refreshed_at(),
            "can_manage": self.scope.can(MANAGE),
            "can_view_overview": self.scope.can(VIEW_OVERVIEW),
        })


class RefreshView(ActionView):
    """立即更新: read the new texts into the needs index now (the administrator's)."""

    permission = MANAGE
    success_url = "/needs/categories/"

    def run(self, request, *args, **kwargs) -> str:
        totals = actions.refresh_needs(actor=request.user,
                                       full=request.POST.get("full") == "1")
        return _("需求统计已更新:新读取 %(t)d 条文字,%(m)d 条需求记录。") % {
            "t": totals["texts"], "m": totals["mentions"]}


class OverviewView(SelectorView):
    """党建与主动服务统计: per child area, the figures of party building and proactive
    services (the four ``figures`` modules; a column whose module is missing shows —)."""

    permission = VIEW_OVERVIEW
    template_name = "needs/overview.html"

    def respond(self, request, area, start, end):
        if not area:
            codes = self.scope.codes_for(self.permission)
            area = codes[0][:6] if codes else ""
        table = overview.build(request.user, area, start, end)
        for row in table.rows:
            row.url = (f"{reverse('needs:overview')}?{self.params(area=row.code)}"
                       if len(row.code) < 15 else "")
        return render(request, self.template_name, {
            "form": self.form, "area": area, "area_name": self.area_name(area),
            "start": start, "end": end, "table": table, "params": self.params(),
            "can_view_needs": self.scope.can(VIEW),
        })

