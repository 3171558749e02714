"""Filters of the camera registry, shared by the API and the pages: owner, status, kind,
sharing class, area, text, and ``near=lng,lat`` with ``radius`` (metres, nearest first)."""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from .choices import CameraKind, CameraStatus, SharingType
from .models import Camera, CameraGrant, CameraView

NEAR_MAX_RADIUS_M = 5_000
NEAR_DEFAULT_RADIUS_M = 200
# At most this many nearest cameras are ranked by a ``near`` filter.
NEAR_MAX_CANDIDATES = 500


def area_code(value):
    if value and (not value.isdigit() or len(value) not in (6, 9, 12, 15)):
        raise ValidationError(_("请填写 6、9、12 或 15 位区域编码。"))


def department_code(value):
    if value and (len(value) > 20 or not value.isalnum()):
        raise ValidationError(_("请填写部门编码,如 D015。"))


def parse_near(value):
    """(lng, lat) from "lng,lat" (WGS-84), else a ValidationError a person can act on."""
    parts = [p.strip() for p in str(value or "").split(",")]
    try:
        lng, lat = (float(p) for p in parts)
    except ValueError:
        raise ValidationError(_("请按“经度,纬度”填写,如 121.547,29.874。")) from None
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise ValidationError(_("经纬度超出有效范围。"))
    return lng, lat


class CameraFilterSet(django_filters.FilterSet):
    owner = django_filters.CharFilter(label=_("所属部门"), field_name="owner__code",
                                      validators=[department_code])
    status = django_filters.ChoiceFilter(label=_("状态"), choices=CameraStatus.choices,
                                         empty_label=_("全部"))
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=CameraKind.choices,
                                       empty_label=_("全部"))
    sharing_type = django_filters.ChoiceFilter(label=_("共享类型"), choices=SharingType.choices,
                                               empty_label=_("全部"))
    area = django_filters.CharFilter(label=_("区域编码"), method="filter_area",
                                     validators=[area_code])
    q = django_filters.CharFilter(label=_("名称、编码或位置"), method="filter_q",
                                  max_length=100)
    near = django_filters.CharFilter(label=_("附近(经度,纬度)"), method="filter_near",
                                     validators=[parse_near])
    radius = django_filters.NumberFilter(label=_("半径(米)"), method="filter_noop",
                                         min_value=1, max_value=NEAR_MAX_RADIUS_M)

    class Meta:
        model = Camera
        fields = ["owner", "status", "kind", "sharing_type", "area", "q", "near", "radius"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(area_code__startswith=value) if value else queryset

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__contains=value) | Q(code__startswith=value)
                               | Q(place__contains=value))

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_near(self, queryset, name, value):
        """The cameras within ``radius`` (default 200 m) of the point, nearest first."""
        from .nearby import get_index

        if not value:
            return queryset
        lng, lat = parse_near(value)
        radius = self.form.cleaned_data.get("radius") or NEAR_DEFAULT_RADIUS_M
        ids, _metres = get_index().within(lng, lat, float(radius))
        ids = [int(i) for i in ids[:NEAR_MAX_CANDIDATES]]
        if not ids:
            return queryset.none()
        rank = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)],
                    output_field=IntegerField())
        return queryset.filter(pk__in=ids).annotate(near_rank=rank).order_by("near_rank", "id")


class CameraGrantFilterSet(django_filters.FilterSet):
    active = django_filters.BooleanFilter(label=_("有效"), field_name="revoked_at",
                                          lookup_expr="isnull")
    camera = django_filters.CharFilter(label=_("摄像头编码"), field_name="camera__code")
    role = django_filters.CharFilter(label=_("被授权角色"), field_name="grantee_role")
    department = django_filters.CharFilter(label=_("被授权部门"),
                                           field_name="grantee_department__code",
                                           validators=[department_code])

    class Meta:
        model = CameraGrant
        fields = ["active", "camera", "role", "department"]


class CameraViewFilterSet(django_filters.FilterSet):
    camera = django_filters.CharFilter(label=_("摄像头编码"), field_name="camera__code")
    user = django_filters.CharFilter(label=_("调阅人"), field_name="user__username")
    since = django_filters.DateFilter(label=_("起始日期"), field_name="issued_at",
                                      lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("截止日期"), field_name="issued_at",
                                      lookup_expr="date__lte")

    class Meta:
        model = CameraView
        fields = ["camera", "user", "since", "until"]
