"""热词分析 (``/stats/keywords/``): what residents ask for, as the terms of the case texts.

- ``/stats/keywords/``: the selector (period, area, channel), the top terms as a bar chart,
  the terms rising against the previous period, and the word list; each count links to
  ``/stats/keywords/cases/``, the cases behind it (the event search's text match is a
  substring over number, description and address, not the term index, so it would not give
  the same cases); ``?export=xlsx`` gives the tables as a workbook;
- ``/stats/keywords/cases/?term=…``: the cases of the period (or ``which=prev``: of the
  previous period) mentioning the term, newest first, 50 a page, ``?export=xlsx`` all;
- ``/stats/keywords/dictionary/``: the user dictionary (``stats.manage_keywords``): add,
  disable / enable a word, rebuild the index.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from gridgov.core.views import ActionView, PermissionRequiredMixin

from .. import actions, export
from ..aggregates import StatsQuery
from ..forms import StatsForm
from ..keywords import query as kq
from ..models import MANAGE, KeywordRevision, KeywordTerm, TermKind
from ..periods import MONTH
from .base import StatsView, area_choices, scope_codes

CHANNEL_CHOICES = (("", gettext_lazy("全部渠道")), ("hotline", gettext_lazy("热线(81890、12345)")),
                   ("other", gettext_lazy("其他渠道")))
KIND_LABELS = {"place": gettext_lazy("地名"), "governance": gettext_lazy("治理术语")}
CASES_PAGE = 50
CASES_EXPORT_MAX = 5000


class KeywordForm(StatsForm):
    """The statistics' selector and the channel (all, the hotlines, the other channels)."""

    channel = forms.ChoiceField(label=gettext_lazy("渠道"), choices=CHANNEL_CHOICES,
                                required=False)


class CasesForm(KeywordForm):
    term = forms.CharField(label=gettext_lazy("热词"), max_length=20)
    which = forms.ChoiceField(label=gettext_lazy("期别"), required=False,
                              choices=(("cur", gettext_lazy("本期")),
                                       ("prev", gettext_lazy("上期"))))


class KeywordStatsView(StatsView):
    """A statistics page whose selector also has the channel."""

    form_class = KeywordForm

    def read_query(self, request) -> StatsQuery | None:
        choices = area_choices(request.user, self.scope)
        codes = scope_codes(self.scope)
        data = {"period": MONTH, "date": timezone.localdate().isoformat(),
                "area": codes[0] if len(codes) == 1 else ""}
        data.update({k: v for k, v in request.GET.items() if v != ""})
        self.form = self.form_class(data, area_choices=choices)
        if not self.form.is_valid():
            return None
        area = self.form.cleaned_data.get("area") or ""
        if area and not self.scope.covers(area, "events.view", department_bound=False):
            raise Http404(_("没有这个区域,或不在您的管辖范围内。"))
        self.channel = self.form.cleaned_data.get("channel") or ""
        return StatsQuery(request.user, area, self.form.period_value())

    def selector_params(self) -> str:
        base = super().selector_params()
        channel = self.form.data.get("channel")
        return f"{base}&{urlencode({'channel': channel})}" if channel else base


def cases_url(params: str, term: str, which: str = "cur", *, path: str = "") -> str:
    extra = {"term": term} if which == "cur" else {"term": term, "which": which}
    return f"{path or reverse('stats:keyword_cases')}?{params}&{urlencode(extra)}"


def _kind(row) -> str:
    return str(KIND_LABELS.get(row.kind, ""))


class KeywordsView(KeywordStatsView):
    """Top terms, rising terms and the word list of the period."""

    template_name = "stats/keywords.html"

    def respond(self, request, query):
        analysis = kq.KeywordAnalysis(query, self.channel)
        analysis.fill()
        rows = analysis.rows()
        words = kq.top_terms(rows)
        rising = kq.rising_terms(rows)
        if export.wants_xlsx(request):
            return self.workbook(query, words, rising)
        params, path = self.selector_params(), reverse("stats:keyword_cases")
        for row in words + rising:
            row.url = cases_url(params, row.term, path=path)
            row.prev_url = cases_url(params, row.term, "prev", path=path)
            row.kind_label = _kind(row)
        chart = [{"name": r.term, "value": r.cur, "url": r.url} for r in words[:kq.TOP_CHART]]
        revision = KeywordRevision.current()
        return render(request, self.template_name, {
            "form": self.form, "query": query, "period": query.period,
            "previous": analysis.previous, "params": params, "words": words,
            "rising": rising, "cases": analysis.case_count(),
            "unindexed_left": analysis.unindexed_left,
            "index_behind": revision.number != revision.indexed_number,
            "can_manage": self.scope.can(MANAGE),
            "rule": {"min": kq.RISE_MIN, "delta": kq.RISE_DELTA,
                     "ratio": int((kq.RISE_RATIO - 1) * 100)},
            "chart": {"items": chart, "name": _("案件数"),
                      "empty": _("本周期没有可统计的热词")},
        })

    def workbook(self, query, words, rising):
        header = [_("热词"), _("类别"), _("本期案件数"), _("上期案件数"), _("增减"),
                  _("环比(%)")]

        def body(rows):
            return [[r.term, _kind(r), r.cur, r.prev, r.delta, r.change] for r in rows]

        return export.workbook_response(
            f"{_('热词分析')}-{query.area or 'all'}-{query.period.label()}.xlsx",
            [(_("热词"), header, body(words)), (_("上升热词"), header, body(rising))])


def highlight(text: str, term: str) -> str:
    return mark_safe(escape(text).replace(escape(term), f"<mark>{escape(term)}</mark>"))


class KeywordCasesView(KeywordStatsView):
    """The cases behind one term's count (the same events the count counted)."""

    template_name = "stats/keywords_cases.html"
    form_class = CasesForm

    def respond(self, request, query):
        term = self.form.cleaned_data["term"].strip()
        analysis = kq.KeywordAnalysis(query, self.channel)
        which = self.form.cleaned_data.get("which") or "cur"
        period = analysis.previous if which == "prev" else query.period
        cases = (analysis.cases(term, period)
                 .select_related("category", "grid").order_by("-created_at", "-id"))
        if export.wants_xlsx(request):
            header = [_("事件编号"), _("上报时间"), _("所属网格"), _("事件小类"), _("状态"),
                      _("问题描述")]
            body = [[e.number, timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
                     e.grid.name, e.category.name if e.category else "",
                     e.get_state_display(), e.description]
                    for e in cases[:CASES_EXPORT_MAX]]
            return export.workbook_response(
                f"{_('热词案件')}-{term}-{period.label()}.xlsx", [(term, header, body)])
        page = Paginator(cases, CASES_PAGE).get_page(request.GET.get("page"))
        for event in page.object_list:
            event.marked = highlight(event.description, term)
        params = self.selector_params()
        base = f"{params}&{urlencode({'term': term, 'which': which})}"
        return render(request, self.template_name, {
            "form": self.form, "query": query, "period": period, "term": term,
            "which": which, "page": page, "params": params, "base": base,
            "back": f"{reverse('stats:keywords')}?{params}",
        })


class DictionaryView(PermissionRequiredMixin, View):
    """The keyword dictionary: list, add, disable / enable (system administrator)."""

    permission = MANAGE

    def _render(self, request, errors=None, values=None, status=200):
        q = (request.GET.get("q") or "").strip()
        kind = request.GET.get("kind") or ""
        terms = KeywordTerm.objects.restrict(request.user, "change")
        if q:
            terms = terms.filter(term__contains=q)
        if kind in TermKind.values:
            terms = terms.filter(kind=kind)
        revision = KeywordRevision.current()
        return render(request, "stats/keywords_dictionary.html", {
            "terms": terms.order_by("kind", "term"), "q": q, "kind": kind,
            "errors": errors or {}, "values": values or {}, "kinds": TermKind.choices,
            "revision": revision, "index_behind": revision.number != revision.indexed_number,
        }, status=status)

    def get(self, request):
        return self._render(request)

    def post(self, request):
        try:
            if request.POST.get("toggle"):
                row = get_object_or_404(KeywordTerm.objects.restrict(request.user, "change"),
                                        pk=request.POST["toggle"])
                actions.update_keyword(row, is_active=not row.is_active, actor=request.user)
                messages.success(request, _("已更新词条“%(t)s”。重建索引后计入统计。")
                                 % {"t": row.term})
            else:
                row = actions.create_keyword(term=request.POST.get("term"),
                                             kind=request.POST.get("kind"),
                                             note=request.POST.get("note", ""),
                                             actor=request.user)
                messages.success(request, _("已添加词条“%(t)s”。重建索引后计入统计。")
                                 % {"t": row.term})
        except ValidationError as exc:
            return self._render(request, exc.message_dict, request.POST, status=400)
        return redirect("stats:keyword_dictionary")


class RebuildView(ActionView):
    """The dictionary page's button: cut every event again with the current dictionary."""

    permission = MANAGE

    def run(self, request, *args, **kwargs) -> str:
        result = actions.rebuild_keyword_index(actor=request.user)
        return _("热词索引已重建:%(e)s 件案件,%(t)s 条词,用时 %(s)s 秒。") % {
            "e": result["events"], "t": result["terms"], "s": result["seconds"]}

    def back_url(self, request, *args, **kwargs) -> str:
        return reverse("stats:keyword_dictionary")
