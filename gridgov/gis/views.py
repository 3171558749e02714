"""The layers' pages: the list, a layer with its map, creating and editing a layer, uploading
its features (with the reasons a file was refused, feature by feature) and the grants.

Every page reads through ``Layer.objects.restrict``: a layer the user may not see is 404;
writing pages need ``gis.publish`` for the owner department (the actions check it again)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from gridgov.accounts.models import Department
from gridgov.core.access.grants import role_choices
from gridgov.core.views import PermissionRequiredMixin, error_text
from gridgov.web.basemap import basemap_config

from . import actions
from .choices import SharingType
from .forms import GrantForm, LayerForm, RevokeForm, UploadForm
from .models import Layer, LayerGrant
from .permissions import PUBLISH, VIEW

# Features the layer page draws (the OGC API pages through the rest).
MAP_LIMIT = 2000
EDIT_FIELDS = ("name", "description", "geometry_type", "sharing_type", "sharing_condition",
               "legal_basis", "is_public", "is_published")


def _add_errors(form, exc: ValidationError):
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _visible(user, code):
    return get_object_or_404(Layer.objects.restrict(user).select_related("owner"), code=code)


def _changeable(user, code):
    return get_object_or_404(Layer.objects.restrict(user, "change").select_related("owner"),
                             code=code)


def _labelled(grants):
    """The grants, each with ``grantee_label``: the department's name or the role's."""
    roles = dict(role_choices(assignable_only=False))
    out = list(grants)
    for grant in out:
        grant.grantee_label = (grant.grantee_department.name if grant.grantee_department_id
                               else str(roles.get(grant.grantee_role, grant.grantee_role)))
    return out


def _can_publish(scope) -> bool:
    return bool(scope and scope.department_id and scope.department_can(PUBLISH))


class LayerListView(PermissionRequiredMixin, View):
    """图层: the layers the user may see, the department's own first."""

    permission = (VIEW, PUBLISH)

    def get(self, request):
        layers = list(Layer.objects.restrict(request.user).select_related("owner")
                      .order_by("owner__code", "code"))
        own = self.scope.department_id
        layers.sort(key=lambda layer: (layer.owner_id != own, layer.owner.code, layer.code))
        return render(request, "gis/layers.html", {
            "layers": layers, "can_publish": _can_publish(self.scope),
            "own_department": own})


class LayerCreateView(PermissionRequiredMixin, View):
    permission = PUBLISH

    def get(self, request):
        return render(request, "gis/layer_form.html", {"form": LayerForm(), "layer": None})

    def post(self, request):
        form = LayerForm(request.POST)
        if form.is_valid():
            try:
                layer = actions.create_layer(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("图层已创建,请上传数据。"))
                return redirect("gis:upload", layer.code)
        return render(request, "gis/layer_form.html", {"form": form, "layer": None},
                      status=400)


class LayerDetailView(PermissionRequiredMixin, View):
    permission = (VIEW, PUBLISH)

    def get(self, request, code):
        layer = _visible(request.user, code)
        can_change = Layer.objects.restrict(request.user, "change").filter(pk=layer.pk).exists()
        grants = (LayerGrant.objects.restrict(request.user)
                  .filter(owner=layer.owner).active()
                  .filter(layer__isnull=True) | LayerGrant.objects.restrict(request.user)
                  .filter(layer=layer).active())
        items = reverse("ogcapi:items", args=[layer.collection_id])
        return render(request, "gis/layer.html", {
            "layer": layer, "can_change": can_change,
            "grants": _labelled(grants.select_related("grantee_department", "layer"))
            if can_change else [],
            "map_src": f"{items}?f=json&limit={MAP_LIMIT}",
            # The map draws WGS-84 lon/lat: a GCJ-02 tile service is left out.
            "basemap": basemap_config(request, wgs84_only=True, overlays=False),
            "collection_url": reverse("ogcapi:collection", args=[layer.collection_id]),
        })


class LayerEditView(PermissionRequiredMixin, View):
    permission = PUBLISH

    def get(self, request, code):
        layer = _changeable(request.user, code)
        form = LayerForm(editing=True, initial={n: getattr(layer, n) for n in EDIT_FIELDS})
        return render(request, "gis/layer_form.html", {"form": form, "layer": layer})

    def post(self, request, code):
        layer = _changeable(request.user, code)
        form = LayerForm(request.POST, editing=True)
        if form.is_valid():
            try:
                actions.update_layer(layer, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("图层已保存。"))
                return redirect("gis:layer", layer.code)
        return render(request, "gis/layer_form.html", {"form": form, "layer": layer},
                      status=400)


class LayerUploadView(PermissionRequiredMixin, View):
    permission = PUBLISH

    def get(self, request, code):
        layer = _changeable(request.user, code)
        return render(request, "gis/upload.html", {"form": UploadForm(), "layer": layer})

    def post(self, request, code):
        layer = _changeable(request.user, code)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                layer = actions.upload_features(
                    layer, actor=request.user, name=upload.name, data=upload.read(),
                    declared_crs=form.cleaned_data["declared_crs"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("已上传 %(n)d 个要素(第 %(v)d 版)。") % {
                    "n": layer.feature_count, "v": layer.version})
                return redirect("gis:layer", layer.code)
        return render(request, "gis/upload.html", {"form": form, "layer": layer}, status=400)


class GrantsView(PermissionRequiredMixin, View):
    """图层授权: grants the department gave (with the form to grant and revoke) and the
    grants it received."""

    permission = (VIEW, PUBLISH)

    def _context(self, request, form=None):
        scope = self.scope
        can_publish = _can_publish(scope)
        owner = None
        layers = []
        if can_publish:
            owner = Department.objects.get(pk=scope.department_id)
            layers = Layer.objects.filter(owner=owner, sharing_type=SharingType.CONDITIONAL)
        roles = role_choices(assignable_only=False)
        grants = _labelled(LayerGrant.objects.restrict(request.user).select_related(
            "owner", "layer", "grantee_department"))
        return {
            "can_publish": can_publish,
            "form": form or GrantForm(layers=layers, owner=owner, roles=roles),
            "given": [g for g in grants if owner and g.owner_id == owner.pk],
            "received": [g for g in grants if not owner or g.owner_id != owner.pk],
            "revoke_form": RevokeForm(),
        }

    def get(self, request):
        return render(request, "gis/grants.html", self._context(request))

    def post(self, request):
        context = self._context(request)
        if not context["can_publish"]:
            raise PermissionDenied(_("只有部门的数据专员或部门管理员可以授权图层。"))
        owner = Department.objects.get(pk=self.scope.department_id)
        owner_layers = Layer.objects.filter(owner=owner, sharing_type=SharingType.CONDITIONAL)
        form = GrantForm(request.POST, layers=owner_layers, owner=owner,
                         roles=role_choices(assignable_only=False))
        if form.is_valid():
            data = form.cleaned_data
            layer = owner_layers.filter(pk=data["layer"]).first() if data["layer"] else None
            try:
                actions.grant_layers(actor=request.user, owner=owner,
                                     reason=data["reason"], layer=layer,
                                     department=data["department"], role=data["role"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("已授权。"))
                return redirect("gis:grants")
        context["form"] = form
        return render(request, "gis/grants.html", context, status=400)


class RevokeView(PermissionRequiredMixin, View):
    permission = PUBLISH

    def post(self, request, pk):
        grant = get_object_or_404(LayerGrant.objects.restrict(request.user, "change"), pk=pk)
        form = RevokeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写撤销理由。"))
            return redirect("gis:grants")
        try:
            actions.revoke_layer_grant(grant, actor=request.user,
                                       reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("授权已撤销。"))
        return redirect("gis:grants")


urlpatterns = [
    path("", LayerListView.as_view(), name="layers"),
    path("new/", LayerCreateView.as_view(), name="create"),
    path("grants/", GrantsView.as_view(), name="grants"),
    path("grants/<int:pk>/revoke/", RevokeView.as_view(), name="revoke"),
    path("layers/<str:code>/", LayerDetailView.as_view(), name="layer"),
    path("layers/<str:code>/edit/", LayerEditView.as_view(), name="edit"),
    path("layers/<str:code>/upload/", LayerUploadView.as_view(), name="upload"),
]
