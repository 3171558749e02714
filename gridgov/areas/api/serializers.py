"""Area representations for the API: list rows, detail, GeoJSON features, point lookup.

Geometry is stored in WGS-84/CGCS2000; the views convert to GCJ-02 at the edge when a client
asks for ``crs=gcj02``. Staff phones are masked (PIPL art. 6, minimum necessary).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridgov.accounts.models import Assignment
from gridgov.accounts.scope import role_name
from gridgov.core.access import grants
from gridgov.core.personal_data import mask_phone

from ..choices import Kind, Level
from ..models import Area

# Input datums a client may send or ask for; CGCS2000 is within centimetres of WGS-84.
CRS_CHOICES = [
    ("wgs84", "WGS-84"),
    ("gcj02", _("GCJ-02(高德、腾讯)")),
    ("cgcs2000", "CGCS2000"),
]

STAFF_PERMISSION = "areas.listed_as_staff"


def staff_roles() -> list[str]:
    """The roles whose holders an area lists as its staff, in the roles' order.

    The people who work an area on the ground or in its command centre (by default grid,
    command and leader roles). Department staff belong to their department, and the three
    security administrators are nobody's area staff: their identities are not shown to
    every reader of the map.
    """
    return [role for role, perms in grants.table().grants.items() if STAFF_PERMISSION in perms]


def area_staff(area) -> list[dict]:
    """The people assigned to an area in a staff role, ordered by role, phones masked."""
    roles = staff_roles()
    order = {role: i for i, role in enumerate(roles)}
    rows = Assignment.objects.filter(
        area=area, role__in=roles, user__is_active=True
    ).select_related("user")
    staff = [
        {
            "real_name": a.user.real_name or a.user.username,
            "role": a.role,
            "role_label": role_name(a.role),
            "phone": mask_phone(a.user.phone),
        }
        for a in rows
    ]
    return sorted(staff, key=lambda s: (order.get(s["role"], 99), s["real_name"]))


@extend_schema_field(OpenApiTypes.STR)
class ChoiceLabelField(serializers.ReadOnlyField):
    """The translated label of a choice value (cheaper than ``get_FOO_display`` per row)."""

    def __init__(self, choices, **kwargs):
        self._labels = dict(choices)
        super().__init__(**kwargs)

    def to_representation(self, value):
        label = self._labels.get(value)
        return str(label) if label is not None else value


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text=_("出错的字段;与具体字段无关时为 null")
    )
    code = serializers.CharField(help_text=_("机器可读的错误代码"))
    message = serializers.CharField(help_text=_("错误说明"))


class ErrorListSerializer(serializers.Serializer):
    """The error shape of every 4xx answer (``gridgov.core.api.exception_handler``)."""

    errors = ErrorItemSerializer(many=True)


class AreaRefSerializer(serializers.ModelSerializer):
    """An area named by code, name and level (parents, ancestors, lookup results)."""

    level_label = ChoiceLabelField(Level.choices, source="level")
    kind_label = ChoiceLabelField(Kind.choices, source="kind")

    class Meta:
        model = Area
        fields = ["code", "name", "level", "level_label", "kind", "kind_label"]
        read_only_fields = fields


class AreaListSerializer(serializers.ModelSerializer):
    """One row of the area list: attributes without geometry."""

    level_label = ChoiceLabelField(Level.choices, source="level")
    kind_label = ChoiceLabelField(Kind.choices, source="kind")
    parent = serializers.CharField(
        source="parent.code", read_only=True, allow_null=True, help_text=_("上级编码")
    )
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)

    class Meta:
        model = Area
        fields = [
            "code", "name", "level", "level_label", "kind", "kind_label", "parent",
            "parent_name", "area_m2", "households", "generated", "valid_from", "valid_to",
        ]
        read_only_fields = fields


class CentroidSerializer(serializers.Serializer):
    lng = serializers.FloatField()
    lat = serializers.FloatField()


class ValiditySerializer(serializers.Serializer):
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    is_current = serializers.BooleanField(help_text=_("今天是否有效"))


class StaffSerializer(serializers.Serializer):
    """A person assigned to the area, with the phone masked."""

    real_name = serializers.CharField()
    role = serializers.CharField(help_text=_("角色编码(见 /api/roles/)"))
    role_label = serializers.CharField()
    phone = serializers.CharField(help_text=_("脱敏手机号,如 138****5678"))


class AreaDetailSerializer(AreaListSerializer):
    """An area with its place in the hierarchy, size, validity, responsibility and staff."""

    parent = AreaRefSerializer(read_only=True, allow_null=True)
    ancestors = serializers.SerializerMethodField()
    children_count = serializers.SerializerMethodField()
    centroid = serializers.SerializerMethodField()
    validity = serializers.SerializerMethodField()
    responsible = serializers.CharField(
        read_only=True, help_text=_("责任主体;未指定时为属地社区(村)")
    )
    staff = serializers.SerializerMethodField()

    class Meta:
        model = Area
        fields = [
            "code", "name", "level", "level_label", "kind", "kind_label", "parent",
            "ancestors", "children_count", "area_m2", "centroid", "households", "land_use",
            "management_level", "responsible_party", "responsible", "validity", "generated",
            "source", "staff", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def _ancestors(self, obj):
        cache = self.context.setdefault("_ancestors", {})
        if obj.pk not in cache:
            codes = [obj.code[:n] for n in (6, 9, 12) if n < len(obj.code)]
            cache[obj.pk] = list(
                Area.objects.filter(code__in=codes).defer("geometry").order_by("code")
            )
        return cache[obj.pk]

    @extend_schema_field(AreaRefSerializer(many=True))
    def get_ancestors(self, obj):
        return AreaRefSerializer(self._ancestors(obj), many=True).data

    def get_children_count(self, obj) -> int:
        # Counted within the reader's scope: a grid worker looking at their community as
        # context learns of no grid they cannot open.
        request = self.context.get("request")
        children = Area.objects.filter(parent=obj)
        if request is not None:
            children = children.restrict(request.user)
        return children.count()

    @extend_schema_field(CentroidSerializer)
    def get_centroid(self, obj):
        return {"lng": obj.centroid_lng, "lat": obj.centroid_lat}

    @extend_schema_field(ValiditySerializer)
    def get_validity(self, obj):
        today = timezone.localdate()
        return {
            "valid_from": obj.valid_from,
            "valid_to": obj.valid_to,
            "is_current": (
                obj.valid_from <= today and (obj.valid_to is None or obj.valid_to > today)
            ),
        }

    @extend_schema_field(StaffSerializer(many=True))
    def get_staff(self, obj):
        return area_staff(obj)


class AreaWriteSerializer(serializers.Serializer):
    """Input for creating an area (system administrator). Geometry is GeoJSON in ``crs``."""

    code = serializers.CharField(max_length=15, help_text=_("6/9/12/15 位编码,以上级编码开头"))
    name = serializers.CharField(max_length=100)
    level = serializers.ChoiceField(choices=Level.choices)
    kind = serializers.ChoiceField(choices=Kind.choices)
    parent = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), allow_null=True, required=False,
        help_text=_("上级编码;区县为空"),
    )
    geometry = serializers.JSONField(help_text=_("GeoJSON Polygon 或 MultiPolygon"))
    valid_from = serializers.DateField(required=False)
    land_use = serializers.CharField(max_length=50, required=False, allow_blank=True)
    management_level = serializers.CharField(max_length=20, required=False, allow_blank=True)
    responsible_party = serializers.CharField(max_length=100, required=False, allow_blank=True)
    households = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    generated = serializers.BooleanField(required=False)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AreaUpdateSerializer(serializers.Serializer):
    """Changes to an area (system administrator); every field is optional.

    Code, level and parent are fixed once created: they are the area's place in the hierarchy
    and the prefix of every code below it.
    """

    name = serializers.CharField(max_length=100, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    geometry = serializers.JSONField(required=False, help_text=_("GeoJSON Polygon 或 MultiPolygon"))
    valid_to = serializers.DateField(required=False, help_text=_("停用日期:给出即撤销该区域"))
    land_use = serializers.CharField(max_length=50, required=False, allow_blank=True)
    management_level = serializers.CharField(max_length=20, required=False, allow_blank=True)
    responsible_party = serializers.CharField(max_length=100, required=False, allow_blank=True)
    households = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CrsQuerySerializer(serializers.Serializer):
    crs = serializers.ChoiceField(choices=CRS_CHOICES, default="wgs84", required=False)


class BBoxField(serializers.CharField):
    """``minLng,minLat,maxLng,maxLat`` as four numbers, minimum before maximum."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 4:
            raise serializers.ValidationError(
                _("bbox 须为 4 个数:最小经度,最小纬度,最大经度,最大纬度。")
            )
        try:
            min_lng, min_lat, max_lng, max_lat = (float(p) for p in parts)
        except ValueError:
            raise serializers.ValidationError(_("bbox 只能包含数字。"))
        values = (min_lng, min_lat, max_lng, max_lat)
        if any(v != v or v in (float("inf"), float("-inf")) for v in values):
            raise serializers.ValidationError(_("bbox 只能包含有限的数字。"))
        if not (-180 <= min_lng <= 180 and -180 <= max_lng <= 180):
            raise serializers.ValidationError(_("经度须在 -180 到 180 之间。"))
        if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
            raise serializers.ValidationError(_("纬度须在 -90 到 90 之间。"))
        if min_lng > max_lng or min_lat > max_lat:
            raise serializers.ValidationError(_("bbox 的最小值不能大于最大值。"))
        return values


class GeoJSONQuerySerializer(CrsQuerySerializer):
    bbox = BBoxField(required=False)


class LookupQuerySerializer(CrsQuerySerializer):
    lng = serializers.FloatField(min_value=-180, max_value=180, help_text=_("经度"))
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text=_("纬度"))
    crs = serializers.ChoiceField(choices=CRS_CHOICES, default="wgs84", required=False)

    def validate_lng(self, value):
        return _finite(value)

    def validate_lat(self, value):
        return _finite(value)


def _finite(value):
    if value != value or value in (float("inf"), float("-inf")):
        raise serializers.ValidationError(_("须为有限的数字。"))
    return value


class LookupResultSerializer(serializers.Serializer):
    """The grid a point lies in and the community, street and district above it."""

    lng = serializers.FloatField(help_text=_("WGS-84 经度"))
    lat = serializers.FloatField(help_text=_("WGS-84 纬度"))
    grid = AreaRefSerializer()
    community = AreaRefSerializer(allow_null=True)
    street = AreaRefSerializer(allow_null=True)
    district = AreaRefSerializer(allow_null=True)


class FeaturePropertiesSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    level_label = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    kind_label = serializers.CharField()
    parent = serializers.CharField(allow_null=True)
    area_m2 = serializers.FloatField()
    households = serializers.IntegerField(allow_null=True)
    generated = serializers.BooleanField()


class GeometrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Polygon", "MultiPolygon"])
    coordinates = serializers.ListField(child=serializers.JSONField())


class FeatureSerializer(serializers.Serializer):
    """A GeoJSON Feature (RFC 7946) for one area; ``id`` is the area code."""

    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.CharField()
    geometry = GeometrySerializer()
    properties = FeaturePropertiesSerializer()


class FeatureCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    crs = serializers.CharField(help_text=_("坐标系:wgs84、gcj02 或 cgcs2000"))
    features = FeatureSerializer(many=True)
