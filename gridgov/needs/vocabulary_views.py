"""The administrator's pages of the vocabulary (``needs.manage``): the need categories with
their keywords, and the form that saves one through ``actions.save_category`` (audited; the
next refresh reads every text again with the new words)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from gridgov.core.views import PermissionRequiredMixin

from . import actions
from .forms import CategoryForm, split_words
from .models import NeedCategory, NeedIndexState
from .permissions import MANAGE

SOURCE_LABELS = {"event": gettext_lazy("群众上报与热线工单"), "visit": gettext_lazy("走访记录"),
                 "contact": gettext_lazy("党员联系户记录")}


def care_groups() -> list[str]:
    from gridgov.basedata.models import Tag

    return list(Tag.objects.filter(kind="care").order_by("name").values_list("name", flat=True))


class CategoryListView(PermissionRequiredMixin, View):
    """需求分类词表, the index's progress and 立即更新."""

    permission = MANAGE

    def get(self, request):
        from gridgov.visits.choices import Need

        categories = list(NeedCategory.objects.restrict(request.user, "change")
                          .prefetch_related("care_groups"))
        labels = dict(Need.choices)
        for category in categories:
            category.need_labels = [str(labels.get(n, n)) for n in category.visit_needs]
        states = list(NeedIndexState.objects.order_by("source"))
        for state in states:
            state.label = SOURCE_LABELS.get(state.source, state.source)
        return render(request, "needs/categories.html", {
            "categories": categories, "states": states})


class CategoryEditView(PermissionRequiredMixin, View):
    """New (no ``pk``) or change one category."""

    permission = MANAGE

    def category(self, pk):
        if pk is None:
            return None
        return get_object_or_404(NeedCategory.objects.restrict(self.request.user, "change"),
                                 pk=pk)

    def show(self, request, category, form, status=200):
        return render(request, "needs/category_form.html",
                      {"category": category, "form": form}, status=status)

    def get(self, request, pk=None):
        category = self.category(pk)
        initial = {"is_active": True, "order": 100}
        if category is not None:
            initial = {"code": category.code, "name": category.name,
                       "description": category.description,
                       "keywords": "、".join(category.keywords),
                       "visit_needs": category.visit_needs,
                       "care_groups": list(category.care_groups.values_list("name", flat=True)),
                       "order": category.order, "is_active": category.is_active}
        return self.show(request, category, CategoryForm(initial=initial, groups=care_groups()))

    def post(self, request, pk=None):
        category = self.category(pk)
        form = CategoryForm(request.POST, groups=care_groups())
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.save_category(
                    category, actor=request.user, code=data["code"], name=data["name"],
                    description=data["description"], keywords=split_words(data["keywords"]),
                    visit_needs=data["visit_needs"], care_groups=data["care_groups"],
                    order=data["order"], is_active=data["is_active"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request,
                                 _("需求分类已保存;下次更新时将按新词表重新识别全部文字。"))
                return redirect("needs:categories")
        return self.show(request, category, form, status=400)
