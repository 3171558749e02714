"""What the assessment pages share: the selector and the source of the figures.

The source is the latest snapshot (or the version asked for) of the period under the scheme
when one exists and the person asks for frozen figures (the default), else the live
computation; either way only the cases the person may see count (``compute``).
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.routers import ReplicaReadsMixin
from gridgov.core.views import PermissionRequiredMixin, refuse_export
from gridgov.stats.periods import MONTH

from .. import compute
from ..forms import SelectorForm
from ..models import Scheme, Snapshot

PERMISSION = "assess.view"
KEYS = ("period", "date", "start", "end", "kind", "scheme", "mode", "version")


class AssessView(ReplicaReadsMixin, PermissionRequiredMixin, View):
    permission = PERMISSION
    template_name = ""

    def read(self, request) -> bool:
        """Read the selector into ``self.period``, ``self.kind``, ``self.scheme``,
        ``self.snapshot``, ``self.source`` and ``self.items``; False on bad input."""
        schemes = list(Scheme.objects.restrict(request.user, "view").filter(is_active=True)
                       .prefetch_related("items"))
        self.schemes = schemes
        data = {"period": MONTH, "date": timezone.localdate().isoformat()}
        data.update({k: v for k, v in request.GET.items() if v != ""})
        self.form = SelectorForm(data, scheme_choices=[(s.pk, s.name) for s in schemes])
        if not self.form.is_valid():
            return False
        cleaned = self.form.cleaned_data
        self.period, self.kind = self.form.period_value(), cleaned["kind"]
        wanted = cleaned.get("scheme")
        self.scheme = next((s for s in schemes if s.pk == wanted), None) if wanted else next(
            (s for s in schemes if s.is_default), schemes[0] if schemes else None)
        if self.scheme is None:
            raise Http404(_("没有这个考核方案。"))
        self.snapshot = None
        if cleaned["mode"] == "frozen":
            qs = Snapshot.objects.restrict(request.user, "view").filter(
                period_kind=self.period.kind, period_start=self.period.start,
                period_end=self.period.end, scheme=self.scheme)
            if cleaned.get("version"):
                qs = qs.filter(version=cleaned["version"])
            self.snapshot = qs.order_by("-version").first()
            if cleaned.get("version") and self.snapshot is None:
                raise Http404(_("没有这个版本的考核快照。"))
        if self.snapshot is not None:
            self.source = compute.FrozenSource(request.user, self.snapshot)
            self.items = self.snapshot.scheme_items
        else:
            self.source = compute.LiveSource(request.user, self.period)
            self.items = compute.scheme_items(self.scheme)
        return True

    def params(self, **override) -> str:
        values = {k: self.form.data.get(k) for k in KEYS}
        values.update(override)
        return urlencode({k: v for k, v in values.items() if v})

    def bad_request(self, request):
        return render(request, "assess/bad_request.html", {"form": self.form}, status=400)

    def get(self, request, *args, **kwargs):
        if not self.read(request):
            return self.bad_request(request)
        if request.GET.get("export") == "xlsx":
            refused = refuse_export(request)
            if refused is not None:
                return refused
        return self.respond(request, *args, **kwargs)

    def respond(self, request, *args, **kwargs):  # pragma: no cover - subclasses answer
        raise NotImplementedError

    def base_context(self) -> dict:
        return {"form": self.form, "period": self.period, "kind": self.kind,
                "scheme": self.scheme, "schemes": self.schemes, "snapshot": self.snapshot,
                "params": self.params(),
                "perms_appeals": self.scope.can("assess.appeal", "assess.decide_appeal")}
