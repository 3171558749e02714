"""A subject's explanation: each indicator → its formula with the numbers → the cases.

Out of scope is 404 like missing: a subject without any case the person may see."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.core.access import get_scope

from .. import compute
from .. import indicators as ind
from ..choices import SubjectKind
from ..models import Appeal
from .base import AssessView

PAGE = 50


def formula(result, indicator) -> str:
    """The indicator's formula with the subject's numbers."""
    if indicator.kind == "rate":
        num, den = result.counts.get(indicator.numerator, 0), result.counts.get(
            indicator.denominator, 0)
        value = result.value(indicator.code)
        shown = "—" if value is None else f"{value:.2f}%"
        return (f"{ind.label(indicator.numerator)} {num} ÷ {ind.label(indicator.denominator)} "
                f"{den} = {shown}")
    if indicator.kind == "time":
        total, n = result.hours.get(indicator.code, (0, 0))
        value = result.mean_hours(indicator.code)
        shown = "—" if value is None else _("%(v)s 小时") % {"v": value}
        return _("合计 %(t)s 小时 ÷ %(n)s 件 = %(v)s") % {"t": round(total, 2), "n": n,
                                                         "v": shown}
    return str(indicator.description)


def can_appeal(user, kind, key) -> bool:
    scope = get_scope(user)
    return bool(kind == SubjectKind.DEPARTMENT and scope and scope.department_can("assess.appeal")
                and str(scope.department_id) == key)


class ExplainView(AssessView):
    template_name = "assess/explain.html"

    def respond(self, request, kind, key):
        if kind not in SubjectKind.values:
            raise Http404
        self.kind = kind
        result = compute.one(self.source, kind, key)
        if not result.counts.get("reported"):
            raise Http404(_("没有这个考核对象,或不在您的管辖范围内。"))
        result.label = compute.labels(kind, [key]).get(key, key)
        if kind == SubjectKind.WORKER:
            result.workload = self._workload(key)
        result.score, result.parts = compute.score(self.items, result)
        code = request.GET.get("indicator") or "closed_on_time_rate"
        if code not in ind.CATALOG or code in ("verifications", "collected"):
            code = "closed_on_time_rate"
        sections = []
        for group, title in ((ind.RATES, _("比率")), (ind.COUNTS, _("数量")),
                             (ind.TIMES, _("时长"))):
            sections.append({"title": title, "rows": [
                {"indicator": i, "value": result.value(i.code), "formula": formula(result, i),
                 "url": "?" + self.params(indicator=i.code),
                 "active": i.code == code} for i in group]})
        qs, mode = compute.explain_cases(self.source, kind, key, code)
        id_field = "event_id" if self.source.frozen else "id"
        fields = [id_field, "number", "area_code"]
        fields += ["waived"] if self.source.frozen else ["state", "created_at"]
        fields += ["_hours"] if mode == "time" else ["_hit"]
        page = Paginator(qs.order_by("number").values(*fields), PAGE).get_page(
            request.GET.get("page"))
        cases = list(page.object_list)
        appealable = code in ind.WAIVABLE and can_appeal(request.user, kind, key)
        appeals = {}
        if code in ind.WAIVABLE and cases:
            appeals = {a.event_id: a for a in Appeal.objects.restrict(request.user, "view")
                       .filter(event_id__in=[c[id_field] for c in cases], indicator=code)
                       .order_by("submitted_at")}
        here = request.get_full_path()
        for case in cases:
            case["event_id"] = case[id_field]
            case["hit"], case["hours"] = case.get("_hit"), case.get("_hours")
            case["detail"] = reverse("events:detail", args=[case["event_id"]])
            case["appeal"] = appeals.get(case["event_id"])
            case["waived_here"] = mode == "count" and not case.get("_hit") and (
                self.source.frozen or case["appeal"] is not None)
            if appealable and case.get("_hit") and case["appeal"] is None:
                case["appeal_url"] = (reverse("assess:appeal_new", args=[case["event_id"]])
                                      + f"?indicator={code}&next={here}")
        return render(request, self.template_name, {
            **self.base_context(), "result": result, "sections": sections,
            "indicator": ind.CATALOG[code], "mode": mode, "cases": cases, "page": page,
            "kind_label": SubjectKind(kind).label, "parts": [
                dict(p, label=ind.label(p["indicator"])) for p in result.parts],
            "ranking_url": reverse("assess:ranking") + "?" + self.params(kind=kind),
            "page_params": self.params(indicator=code),
        })

    def _workload(self, key):
        if self.snapshot is not None:
            row = self.snapshot.results.filter(kind=SubjectKind.WORKER, subject=key).first()
            return (row.figures if row else {}).get("workload", {})
        return compute.workload(self.source, [key]).get(key, {})
