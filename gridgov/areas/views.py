"""Area pages: the list (same filters as the API), an area's page, the attribute editor.

Every page reads through ``restrict()`` (``ScopedListView`` / ``ScopedDetailView``), so an area
outside the user's scope answers 404 like a missing code and never appears in a list.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import UpdateView

from gridgov.core.querysets import CHANGE
from gridgov.core.views import ScopedDetailView, ScopedListView, ScopedQuerysetMixin

from . import actions, datum
from .api.serializers import area_staff
from .filtersets import AreaFilterSet
from .forms import AreaAttributesForm
from .models import Area


class AreaListView(ScopedListView):
    """区域列表: the areas in scope, filtered with ``AreaFilterSet``, 50 to a page."""

    model = Area
    template_name = "areas/area_list.html"
    context_object_name = "areas"

    def get_queryset(self):
        queryset = (
            super().get_queryset().select_related("parent").defer("geometry", "parent__geometry")
        )
        self.filterset = AreaFilterSet(self.request.GET or None, queryset=queryset,
                                       request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["filtered"] = any(v for k, v in self.request.GET.items() if k != "page")
        return context


class AreaDetailView(ScopedDetailView):
    """区域详情: attributes, place in the hierarchy, the children in scope, staff, a map."""

    model = Area
    template_name = "areas/area_detail.html"
    context_object_name = "area"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self):
        return super().get_queryset().select_related("parent").defer("parent__geometry")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = self.object
        user = self.request.user
        codes = [area.code[:n] for n in (6, 9, 12) if n < len(area.code)]
        context["ancestors"] = (
            Area.objects.filter(code__in=codes).defer("geometry").order_by("code")
        )
        context["children"] = (
            Area.objects.restrict(user).filter(parent=area).defer("geometry").order_by("code")
        )
        context["staff"] = area_staff(area)
        context["can_edit"] = Area.objects.restrict(user, CHANGE).filter(pk=area.pk).exists()
        # The polygon is drawn in the datum of the configured tiles (GCJ-02 for AutoNavi).
        geometry = area.geometry
        if settings.GRIDGOV_TILE_CRS == "gcj02":
            geometry = datum.geometry_wgs84_to_gcj02(geometry)
        context["map_feature"] = {
            "type": "Feature",
            "id": area.code,
            "geometry": geometry,
            "properties": {"code": area.code, "name": area.name},
        }
        return context


class AreaEditView(ScopedQuerysetMixin, UpdateView):
    """修改区域属性: the system administrator only (others get 404, as for any area they
    may not change); the change goes through ``areas.actions.update_area`` and is audited."""

    model = Area
    scope_action = CHANGE
    form_class = AreaAttributesForm
    template_name = "areas/area_form.html"
    context_object_name = "area"
    slug_field = "code"
    slug_url_kwarg = "code"

    def form_valid(self, form):
        changes = form.changes()
        if changes:
            # The form has already written its values onto self.object; the action needs the
            # stored row so the audit record's "before" is the truth.
            stored = Area.objects.get(pk=self.object.pk)
            try:
                actions.update_area(stored, actor=self.request.user, **changes)
            except ValidationError as exc:
                by_field = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for field, errors in by_field.items():
                    form.add_error(field if field in form.fields else None, errors)
                return self.form_invalid(form)
            messages.success(self.request, _("区域信息已保存。"))
        else:
            messages.info(self.request, _("没有修改。"))
        return redirect("areas:detail", code=self.object.code)
