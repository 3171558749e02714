"""The scheme editor (考核方案): the list and one scheme's weights and directions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import PermissionRequiredMixin, error_text

from .. import actions
from .. import indicators as ind
from ..forms import SchemeForm
from ..models import Scheme


class SchemeListView(PermissionRequiredMixin, View):
    permission = ("assess.manage_scheme", "assess.view")

    def get(self, request):
        schemes = Scheme.objects.restrict(request.user, "view").prefetch_related("items")
        rows = [{"scheme": s, "items": [
            {"label": ind.label(i.indicator), "weight": i.weight,
             "inverse": i.direction == "inverse"} for i in s.items.all()]} for s in schemes]
        return render(request, "assess/schemes.html", {
            "rows": rows, "can_edit": self.scope.can("assess.manage_scheme"),
            "perms_appeals": self.scope.can("assess.appeal", "assess.decide_appeal")})


class SchemeEditView(PermissionRequiredMixin, View):
    """GET the form, POST through ``actions.save_scheme`` (audited)."""

    permission = "assess.manage_scheme"

    def scheme(self, pk):
        if pk is None:
            return None
        return get_object_or_404(Scheme.objects.restrict(self.request.user, "change"), pk=pk)

    def get(self, request, pk=None):
        scheme = self.scheme(pk)
        initial = {"kinds": ["department", "street", "community", "grid", "worker"],
                   "is_active": True}
        if scheme is not None:
            initial = {"name": scheme.name, "description": scheme.description,
                       "kinds": scheme.kinds, "is_default": scheme.is_default,
                       "is_active": scheme.is_active}
            for item in scheme.items.all():
                initial[f"w_{item.indicator}"] = item.weight
                initial[f"d_{item.indicator}"] = item.direction
        return self.show(request, scheme, SchemeForm(initial=initial))

    def show(self, request, scheme, form, status=200):
        return render(request, "assess/scheme_form.html", {"scheme": scheme, "form": form},
                      status=status)

    def post(self, request, pk=None):
        scheme = self.scheme(pk)
        form = SchemeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = actions.save_scheme(
                    scheme, name=data["name"], description=data["description"],
                    kinds=data["kinds"], items=form.items(), is_default=data["is_default"],
                    is_active=data["is_active"], actor=request.user)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except PermissionDenied as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("考核方案已保存。"))
                return redirect(reverse("assess:scheme_edit", args=[saved.pk]))
        return self.show(request, scheme, form, status=400)
