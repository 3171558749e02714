"""Evidence rules (取证规则) for administrators holding ``events.manage_evidence``: per minor
class, major class or the global default, whether completion and verification need a photo
and the place (``gridgov.events.evidence``). Every change goes through
``actions.save_evidence_rule`` / ``clear_evidence_rule`` (audited)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from gridgov.core.views import PermissionRequiredMixin

from .. import actions, evidence
from ..models import EvidenceRule, MajorCategory, MinorCategory


class EvidenceRuleForm(forms.Form):
    """The four switches and the radius of one rule (the action validates the values)."""

    complete_photo = forms.BooleanField(label=gettext_lazy("处置完毕(含自行处置)须上传现场照片"),
                                        required=False)
    complete_place = forms.BooleanField(label=gettext_lazy("处置完毕须在现场定位"),
                                        required=False)
    verify_photo = forms.BooleanField(label=gettext_lazy("核查须上传现场照片"), required=False)
    verify_place = forms.BooleanField(label=gettext_lazy("核查须在现场定位"), required=False)
    radius_m = forms.IntegerField(label=gettext_lazy("现场范围(米)"), min_value=10,
                                  max_value=evidence.MAX_RADIUS_M,
                                  help_text=gettext_lazy("要求定位时,设备位置距事件位置不得超过此距离。"))


def _summary(values: dict) -> dict:
    """The short words a table cell shows for one step's requirement."""
    def words(step):
        parts = []
        if values[f"{step}_photo"]:
            parts.append(_("照片"))
        if values[f"{step}_place"]:
            parts.append(_("定位 %(m)s 米") % {"m": values["radius_m"]})
        return "、".join(parts) or _("不要求")
    return {"complete": words("complete"), "verify": words("verify")}


class EvidenceRuleListView(PermissionRequiredMixin, View):
    """Every class with the rule in force and where it comes from (own, major, global)."""

    permission = "events.manage_evidence"

    def get(self, request):
        rules = list(EvidenceRule.objects.all())
        own_major = {r.major_id: r for r in rules if r.major_id}
        own_minor = {r.category_id: r for r in rules if r.category_id}
        majors = list(MajorCategory.objects.select_related("platform").order_by("code"))
        minors = list(MinorCategory.objects.order_by("code"))
        found = evidence.requirements(minors, "complete")  # one query for the sources
        verify = evidence.requirements(minors, "verify")
        sources = {"minor": _("本小类规则"), "major": _("沿用大类"), "global": _("沿用全局默认"),
                   "built_in": _("系统内置默认")}
        groups = []
        for major in majors:
            rows = []
            for minor in (m for m in minors if m.major_id == major.pk):
                c, v = found[minor.pk], verify[minor.pk]
                values = {"complete_photo": c.photo, "complete_place": c.place,
                          "verify_photo": v.photo, "verify_place": v.place,
                          "radius_m": c.radius_m}
                rows.append({"minor": minor, "own": minor.pk in own_minor,
                             "source": sources[c.source], **_summary(values)})
            own = own_major.get(major.pk)
            groups.append({"major": major, "own": own,
                           "summary": _summary(_values(own)) if own else None,
                           "rows": rows})
        default = next((r for r in rules if r.is_global), None)
        return render(request, "events/evidence_list.html", {
            "groups": groups, "default": default,
            "default_summary": _summary(_values(default) if default else evidence.DEFAULT),
        })


def _values(rule) -> dict:
    return {f: getattr(rule, f) for f in evidence.RULE_FIELDS}


def _target(kind, code):
    """The class (or None for the global default) a rule page is about; 404 when unknown."""
    if kind == "global":
        return {}, _("全局默认")
    model = {"major": MajorCategory, "minor": MinorCategory}.get(kind)
    obj = model.objects.filter(code=code).first() if model else None
    if obj is None:
        raise Http404
    key = "major" if kind == "major" else "category"
    label = obj.name if kind == "major" else f"{obj.code} {obj.name}"
    return {key: obj}, label


class EvidenceRuleEditView(PermissionRequiredMixin, View):
    """Set the rule of one class or the global default; or remove a class's own rule."""

    permission = "events.manage_evidence"

    def _own(self, scope):
        return EvidenceRule.objects.filter(**(scope or {"is_global": True})).first()

    def _page(self, request, kind, code, form, status=200):
        scope, label = _target(kind, code)
        own = self._own(scope)
        source = None if own else evidence.parent_values(**scope)[1]
        sources = {"major": _("沿用所属大类的规则"), "global": _("沿用全局默认规则"),
                   "built_in": _("沿用系统内置默认")}
        return render(request, "events/evidence_form.html", {
            "form": form, "label": label, "kind": kind, "code": code, "own": own,
            "inherited": sources.get(source)}, status=status)

    def get(self, request, kind, code=""):
        scope, _label = _target(kind, code)
        own = self._own(scope)
        initial = _values(own) if own else evidence.parent_values(**scope)[0]
        return self._page(request, kind, code, EvidenceRuleForm(initial=initial))

    def post(self, request, kind, code=""):
        scope, label = _target(kind, code)
        if request.POST.get("clear") == "1":
            own = self._own(scope)
            try:
                if own is not None:
                    actions.clear_evidence_rule(own, actor=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(request.path)
            messages.success(request, _("“%(label)s”已恢复沿用上级规则。") % {"label": label})
            return redirect("events:evidence")
        form = EvidenceRuleForm(request.POST)
        if not form.is_valid():
            return self._page(request, kind, code, form, status=400)
        try:
            actions.save_evidence_rule(actor=request.user, **scope, **form.cleaned_data)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self._page(request, kind, code, form, status=400)
        messages.success(request, _("已保存“%(label)s”的取证规则。") % {"label": label})
        return redirect("events:evidence")


urlpatterns = [
    path("catalog/evidence/", EvidenceRuleListView.as_view(), name="evidence"),
    path("catalog/evidence/global/", EvidenceRuleEditView.as_view(), {"kind": "global"},
         name="evidence_global"),
    path("catalog/evidence/<str:kind>/<str:code>/", EvidenceRuleEditView.as_view(),
         name="evidence_edit"),
]
