"""What every statistics page shares: the permission, the selector and the person's areas.

The area selector offers only the areas where the person holds ``events.view`` (and the
streets and communities inside them); an area outside answers 404, as an event outside does.
Bad input (an unknown period, a custom range without dates) answers 400 with the field and the
reason shown on the form.
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core.routers import ReplicaReadsMixin
from gridgov.core.views import PermissionRequiredMixin, refuse_export

from .. import export
from ..aggregates import StatsQuery
from ..forms import StatsForm
from ..periods import MONTH

PERMISSION = "stats.view"
SELECTABLE_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)


def scope_codes(scope) -> tuple[str, ...]:
    """The outermost areas where the person reads events (not through a department)."""
    return scope.codes_for("events.view", department_bound=False)


def area_choices(user, scope) -> list[tuple[str, str]]:
    """The person's areas and the streets and communities inside them (one query)."""
    codes = scope_codes(scope)
    if not codes:
        return []
    inside = Q()
    for code in codes:
        inside |= Q(code__startswith=code)
    areas = (Area.objects.restrict(user, "view").current().filter(inside)
             .filter(level__in=SELECTABLE_LEVELS).order_by("code").values_list("code", "name"))
    out = [] if len(codes) == 1 else [("", _("全部"))]
    for code, name in areas:
        indent = "\u3000" * ((len(code) - len(codes[0])) // 3) if len(codes) == 1 else ""
        out.append((code, f"{indent}{name}"))
    return out


class StatsView(ReplicaReadsMixin, PermissionRequiredMixin, View):
    """A statistics page: reads the selector into ``self.query`` (a ``StatsQuery``)."""

    permission = PERMISSION
    template_name = ""

    def dispatch(self, request, *args, **kwargs):
        self.form = None
        return super().dispatch(request, *args, **kwargs)

    def read_query(self, request) -> StatsQuery | None:
        """The query of the request, or None (and ``self.form`` with its errors)."""
        choices = area_choices(request.user, self.scope)
        codes = scope_codes(self.scope)
        # What the selector shows when the request leaves it out: this month, the person's
        # own area (when it is one area).
        data = {"period": MONTH, "date": timezone.localdate().isoformat(),
                "area": codes[0] if len(codes) == 1 else ""}
        data.update({k: v for k, v in request.GET.items() if v != ""})
        self.form = StatsForm(data, area_choices=choices)
        if not self.form.is_valid():
            return None
        area = self.form.cleaned_data.get("area") or ""
        if area and not self.scope.covers(area, "events.view", department_bound=False):
            raise Http404(_("没有这个区域,或不在您的管辖范围内。"))
        return StatsQuery(request.user, area, self.form.period_value())

    def selector_params(self) -> str:
        """The selector as query parameters, for links between the statistics pages."""
        keys = ("period", "date", "start", "end", "area")
        return urlencode({k: self.form.data[k] for k in keys if self.form.data.get(k)})

    def bad_request(self, request):
        return render(request, self.template_name, {"form": self.form, "invalid": True},
                      status=400)

    def get(self, request, *args, **kwargs):
        query = self.read_query(request)
        if query is None:
            return self.bad_request(request)
        if export.wants_xlsx(request):
            refused = refuse_export(request)
            if refused is not None:
                return refused
        return self.respond(request, query)

    def respond(self, request, query):  # pragma: no cover - subclasses answer
        raise NotImplementedError
