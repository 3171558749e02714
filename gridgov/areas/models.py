"""The area hierarchy: district → street / town / township → community / village → grid."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import CHANGE, NOTHING, RestrictedQuerySet

from .choices import CODE_LENGTH, Kind, Level

CODE_LENGTHS = sorted(set(CODE_LENGTH.values()))


class AreaQuerySet(RestrictedQuerySet):
    def current(self, on=None):
        """Areas valid on a date (today when not given)."""
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class Area(models.Model):
    """One administrative or grid area with its polygon (GeoJSON, WGS-84/CGCS2000).

    The code is hierarchical (15-digit unit grid code at the bottom), so an area's ancestors
    are the prefixes of its code and its descendants the codes that start with it.
    """

    code = models.CharField(_("编码"), max_length=15, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=12, choices=Level.choices, db_index=True)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    # GeoJSON geometry (Polygon or MultiPolygon), WGS-84/CGCS2000 longitude-latitude.
    geometry = models.JSONField(_("范围"))
    area_m2 = models.FloatField(_("面积(平方米)"))
    centroid_lng = models.FloatField(_("中心经度"))
    centroid_lat = models.FloatField(_("中心纬度"))
    # Bounding box of the polygon, kept by the actions so sibling checks can narrow candidates
    # in SQL before any geometry is parsed. Null only for rows written outside the actions.
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    land_use = models.CharField(_("用地性质"), max_length=50, blank=True)
    management_level = models.CharField(_("管理等级"), max_length=20, blank=True)
    responsible_party = models.CharField(
        _("责任主体"), max_length=100, blank=True,
        help_text=_("为空时按属地管理,由所在社区(村)负责。"),
    )
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    valid_from = models.DateField(_("启用日期"))
    valid_to = models.DateField(_("停用日期"), null=True, blank=True)
    generated = models.BooleanField(
        _("生成数据"), default=False,
        help_text=_("演示用生成的区划,非官方测绘数据。"),
    )
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("区域")
        verbose_name_plural = _("区域")

    def __str__(self):
        return f"{self.name}({self.code})"

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            return None if scope.can("areas.manage") else NOTHING
        if scope.can("areas.view_all"):
            return None
        # The areas where a role granting "areas.view" is held, everything below them, and
        # the areas above them as context (never their siblings).
        codes = scope.codes_for("areas.view")
        above = {code[:n] for code in codes for n in CODE_LENGTHS if n < len(code)}
        return scope.area_q("code", "areas.view") | Q(code__in=above)

    @property
    def responsible(self) -> str:
        """属地管理: with no named party, the grid's community (village) is responsible."""
        if self.responsible_party:
            return self.responsible_party
        return self.parent.name if self.parent_id and self.level == Level.GRID else self.name


class AreaRevision(models.Model):
    """A counter bumped by every area write, so each process knows to rebuild its index.

    One row (pk 1). ``areas.actions`` bumps it in the writing transaction; each process's
    point index (``areas.index``) compares it at most every ``GRIDGOV_AREA_INDEX_TTL`` seconds.
    """

    revision = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    SINGLETON_PK = 1

    def __str__(self):
        return f"r{self.revision}"

    @classmethod
    def current(cls) -> int:
        """The current revision number (0 before the first area write)."""
        value = cls.objects.filter(pk=cls.SINGLETON_PK).values_list("revision", flat=True).first()
        return value or 0

    @classmethod
    def bump(cls) -> None:
        """Move the revision on, inside the caller's transaction."""
        from django.db.models import F
        from django.utils import timezone

        updated = cls.objects.filter(pk=cls.SINGLETON_PK).update(
            revision=F("revision") + 1, changed_at=timezone.now()
        )
        if not updated:
            _, created = cls.objects.get_or_create(pk=cls.SINGLETON_PK, defaults={"revision": 1})
            if not created:  # another writer created the row first: count this write too
                cls.objects.filter(pk=cls.SINGLETON_PK).update(
                    revision=F("revision") + 1, changed_at=timezone.now()
                )
