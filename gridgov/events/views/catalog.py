"""The category catalog: a list for everyone signed in, editing for those holding
``events.manage_catalog`` (the system administrator by default; ``MinorCategory.restrict_q``)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import UpdateView

from gridgov.core.querysets import CHANGE
from gridgov.core.views import ScopedListView, ScopedQuerysetMixin

from .. import actions
from ..models import MinorCategory

EDITABLE = (
    "name", "default_department", "default_urgency", "dispatch_minutes_urgent",
    "dispatch_minutes_normal", "handle_amount", "handle_unit", "verify_hours_urban",
    "verify_hours_rural", "filing_condition", "closing_condition", "duplicate_radius_m",
    "duplicate_window_hours", "is_active",
)


class CategoryForm(forms.ModelForm):
    """The editable attributes of a minor class (the action validates the rules)."""

    class Meta:
        model = MinorCategory
        fields = EDITABLE
        widgets = {"filing_condition": forms.Textarea(attrs={"rows": 2}),
                   "closing_condition": forms.Textarea(attrs={"rows": 2})}


class CategoryListView(ScopedListView):
    """Every minor class with its limits and default department."""

    model = MinorCategory
    template_name = "events/catalog_list.html"
    paginate_by = 200

    def get_queryset(self):
        return super().get_queryset().select_related("major__platform", "default_department")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = MinorCategory.objects.restrict(self.request.user, CHANGE).exists()
        return context


class CategoryEditView(ScopedQuerysetMixin, UpdateView):
    """Edit one minor class (system administrator; anyone else gets 404)."""

    model = MinorCategory
    scope_action = CHANGE
    form_class = CategoryForm
    template_name = "events/catalog_form.html"
    extra_context = {"title": gettext_lazy("修改事件小类")}

    def form_valid(self, form):
        stored = MinorCategory.objects.get(pk=self.object.pk)
        changes = {name: form.cleaned_data[name] for name in EDITABLE}
        try:
            actions.update_category(stored, actor=self.request.user, **changes)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect("events:catalog")


urlpatterns = [
    path("catalog/", CategoryListView.as_view(), name="catalog"),
    path("catalog/<int:pk>/edit/", CategoryEditView.as_view(), name="catalog_edit"),
]


def register_menu() -> None:
    """The catalog's navigation entry (those who maintain it; called from AppConfig.ready)."""
    from gridgov.web import menus

    menus.register(menus.MenuItem("events_catalog", gettext_lazy("事件分类"),
                                  ("events:catalog",), permission="events.manage_catalog",
                                  order=80))
    menus.register(menus.MenuItem("events_evidence", gettext_lazy("取证规则"),
                                  ("events:evidence",), permission="events.manage_evidence",
                                  order=81))
