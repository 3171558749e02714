"""The layers departments publish on the geographic information service (地理信息共享服务平台).

- ``Layer``: one department's layer (防汛易涝点, 应急避难场所 ...), with a sharing class like a
  data resource (unconditional / conditional / not shared), an "open to the public" flag, and
  a version bumped by every upload. Only a published layer is served.
- ``LayerFeature``: one feature of a layer: its GeoJSON geometry (WGS-84/CGCS2000 lon/lat, as
  every stored position), its own properties, and its bounding box in four indexed columns so
  a bbox query narrows in SQL before any geometry is read.
- ``LayerGrant``: the owner's grant of one conditional layer, or of all of them (``layer``
  empty), to a department or to a role; revocable at once (mirrors ``video.CameraGrant``).

Who sees a layer (``Layer.restrict_q``, action ``view``): everyone, for a published layer open
to the public (anonymous callers too, through the OGC API); with ``gis.view``: a published
layer shared unconditionally, or conditionally with a grant to the caller's department or
role, and every published layer of the caller's own department; the owner's publishers
(``gis.publish``, department-bound) also their unpublished ones, and only they change them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import CHANGE, NOTHING, RestrictedQuerySet
from gridgov.sharing.choices import SharingType
from gridgov.sharing.object_grants import ObjectGrant, shared_q

from .choices import GeometryType
from .permissions import PUBLISH, VIEW


def public_q() -> Q:
    """Layers anyone may read, signed in or not."""
    return Q(is_published=True, is_public=True)


def visible_q(scope) -> Q:
    """Layers the principal may read (see the module docstring), as one filter."""
    q = public_q()
    if scope.can(VIEW):
        q |= Q(is_published=True) & shared_q(LayerGrant, scope)
    if scope.department_id and scope.department_can(PUBLISH):
        q |= Q(owner_id=scope.department_id)
    return q


class LayerQuerySet(RestrictedQuerySet):
    def published(self):
        return self.filter(is_published=True)

    def public(self):
        return self.filter(public_q())


class Layer(models.Model):
    """One department's published layer (see the module docstring for who sees it)."""

    code = models.CharField(_("图层编码"), max_length=40, unique=True,
                            help_text=_("小写字母、数字和连字符,如 flood-01;"
                                        "OGC API 中的集合名为 layer-<编码>。"))
    name = models.CharField(_("名称"), max_length=100)
    owner = models.ForeignKey("accounts.Department", verbose_name=_("发布部门"),
                              on_delete=models.PROTECT, related_name="gis_layers")
    description = models.TextField(_("说明"), blank=True)
    geometry_type = models.CharField(_("几何类型"), max_length=10, choices=GeometryType.choices,
                                     default=GeometryType.POINT)
    sharing_type = models.CharField(_("共享类型"), max_length=20, choices=SharingType.choices,
                                    default=SharingType.CONDITIONAL, db_index=True)
    sharing_condition = models.TextField(_("共享条件"), blank=True)
    legal_basis = models.TextField(_("不予共享依据"), blank=True)
    is_public = models.BooleanField(_("向社会开放"), default=False,
                                    help_text=_("开放后,未登录的公众也可通过 OGC API 读取。"))
    is_published = models.BooleanField(_("已发布"), default=False, db_index=True)
    # Bumped by every upload: a client caching the features compares it.
    version = models.PositiveIntegerField(_("版本"), default=0)
    feature_count = models.PositiveIntegerField(_("要素数"), default=0)
    # The extent of the features (null before the first upload): the collection's extent.
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    source_filename = models.CharField(_("来源文件"), max_length=200, blank=True)
    source_crs = models.CharField(_("来源坐标系"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = LayerQuerySet.as_manager()

    class Meta:
        ordering = ["owner__code", "code"]
        verbose_name = _("图层")
        verbose_name_plural = _("图层")
        constraints = [
            # Open to the public only what every department may read.
            models.CheckConstraint(
                condition=Q(is_public=False) | Q(sharing_type=SharingType.UNCONDITIONAL),
                name="gis_layer_public_is_unconditional"),
        ]

    def __str__(self):
        return f"{self.name}({self.code})"

    @property
    def collection_id(self) -> str:
        """The layer's collection in the OGC API."""
        return f"layer-{self.code}"

    @property
    def bbox(self) -> list[float] | None:
        if self.min_lng is None:
            return None
        return [self.min_lng, self.min_lat, self.max_lng, self.max_lat]

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            if not (scope.department_id and scope.department_can(PUBLISH)):
                return NOTHING
            return Q(owner_id=scope.department_id)
        return visible_q(scope)


class LayerFeature(models.Model):
    """One feature of a layer: GeoJSON geometry (lon/lat), properties, bounding box."""

    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="features")
    # The feature's position in the uploaded file (1-based), as its errors name it.
    number = models.PositiveIntegerField(_("序号"))
    geometry = models.TextField(_("几何(GeoJSON)"))
    geometry_type = models.CharField(_("几何类型"), max_length=20)
    properties = models.JSONField(_("属性"), default=dict, blank=True)
    minx = models.FloatField()
    miny = models.FloatField()
    maxx = models.FloatField()
    maxy = models.FloatField()
    updated_at = models.DateTimeField(_("更新时间"), db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("图层要素")
        verbose_name_plural = _("图层要素")
        indexes = [
            # Keyset paging (layer, id > last) and the bbox filters, one range each.
            models.Index(fields=["layer", "id"], name="gis_feature_layer_id"),
            models.Index(fields=["layer", "minx", "maxx"], name="gis_feature_layer_x"),
            models.Index(fields=["layer", "miny", "maxy"], name="gis_feature_layer_y"),
        ]

    def __str__(self):
        return f"{self.layer.code}#{self.number}"

    @classmethod
    def restrict_q(cls, scope, action):
        layers = Layer.restrict_q(scope, action)
        if layers is None:
            return None
        return Q(layer__in=Layer.objects.filter(layers))


class LayerGrant(ObjectGrant):
    """The owner's grant of one conditional layer, or of all of them (``layer`` empty), to a
    department or to a role (exactly one of the two; ``sharing.object_grants``)."""

    TARGET = "layer"

    layer = models.ForeignKey(Layer, verbose_name=_("图层"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="grants")

    class Meta(ObjectGrant.Meta):
        verbose_name = _("图层授权")
        verbose_name_plural = _("图层授权")

    def __str__(self):
        target = self.layer.name if self.layer_id else _("全部有条件共享图层")
        return f"{target} → {self.grantee_label()}"

    @classmethod
    def restrict_q(cls, scope, action):
        return cls.visible_q(scope, action, PUBLISH)

