"""The areas API: list, detail, GeoJSON, point → grid lookup, and writes for the system
administrator.

Reads go through ``ScopedViewSetMixin`` (``Area.objects.restrict(user, …)``): an area outside
the principal's scope answers 404 exactly like a missing code, and is absent from lists and
GeoJSON. Writes call ``gridgov.areas.actions``, which check the actor, validate the geometry
rules and audit the change; a rule violation answers 400 naming the field and the reason.

The point lookup (``/api/areas/lookup/``) is deliberately *not* scoped: which grid a point
lies in is public administrative geography (the grid boards on every street say as much), and
intake clerks, department clients and grid workers all need it for points outside their own
areas. It returns codes and names only, never staff or anything about people.
"""

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from shapely.geometry import box, shape

from gridgov.core.api import ScopedViewSetMixin

from .. import actions, datum, index
from .. import geometry as geometry_rules
from ..choices import Kind, Level
from ..filtersets import AreaFilterSet
from ..models import Area
from .serializers import (
    AreaDetailSerializer,
    AreaListSerializer,
    AreaUpdateSerializer,
    AreaWriteSerializer,
    CrsQuerySerializer,
    ErrorListSerializer,
    FeatureCollectionSerializer,
    FeatureSerializer,
    GeoJSONQuerySerializer,
    LookupQuerySerializer,
    LookupResultSerializer,
)


class GeoJSONRenderer(JSONRenderer):
    """``application/geo+json`` (RFC 7946); clients asking for plain JSON still get JSON."""

    media_type = "application/geo+json"
    format = "geojson"


CRS_PARAMETER = OpenApiParameter(
    "crs", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=["wgs84", "gcj02", "cgcs2000"],
    description="坐标系(默认 wgs84;gcj02 为高德、腾讯地图坐标)。",
)
FILTER_PARAMETERS = [
    OpenApiParameter("level", OpenApiTypes.STR, enum=[v for v, _ in Level.choices],
                     description="层级"),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=[v for v, _ in Kind.choices],
                     description="类型"),
    OpenApiParameter("parent", OpenApiTypes.STR, pattern=r"^[0-9]{1,15}$",
                     description="直接上级的编码"),
    OpenApiParameter("within", OpenApiTypes.STR, pattern=r"^[0-9]{1,15}$",
                     description="编码前缀:该区域及其下属全部区域"),
    OpenApiParameter("q", OpenApiTypes.STR, description="按名称(包含)或编码(前缀)搜索"),
    OpenApiParameter("generated", OpenApiTypes.BOOL, description="是否为生成的演示区划"),
    OpenApiParameter("valid_on", OpenApiTypes.DATE, description="只列该日期有效的区域"),
]
ERRORS = OpenApiResponse(ErrorListSerializer, description="错误(字段与原因)")
READ_ERRORS = {400: ERRORS, 401: ERRORS, 403: ERRORS}


def _labels() -> tuple[dict, dict]:
    """Level and kind labels in the request's language, looked up once per response."""
    return ({v: str(label) for v, label in Level.choices},
            {v: str(label) for v, label in Kind.choices})


def _properties(code, name, level, kind, parent, area_m2, households, generated,
                labels) -> dict:
    level_labels, kind_labels = labels
    return {
        "code": code,
        "name": name,
        "level": level,
        "level_label": level_labels.get(level, level),
        "kind": kind,
        "kind_label": kind_labels.get(kind, kind),
        "parent": parent,
        "area_m2": area_m2,
        "households": households,
        "generated": generated,
    }


def _feature(area, crs: str) -> dict:
    geometry = area.geometry
    if crs == "gcj02":
        geometry = datum.geometry_wgs84_to_gcj02(geometry)
    parent = area.parent.code if area.parent_id else None
    return {
        "type": "Feature",
        "id": area.code,
        "geometry": geometry,
        "properties": _properties(area.code, area.name, area.level, area.kind, parent,
                                  area.area_m2, area.households, area.generated, _labels()),
    }


def _validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _geometry_in(geometry, crs: str):
    """A client's geometry in the stored datum (WGS-84); a malformed one is a 400 on geometry."""
    # Checked before conversion, so a malformed body is reported as such and never reaches
    # the coordinate walk (GCJ-02 positions are valid longitude/latitude pairs too).
    geometry_rules.shape_from_geojson(geometry, field="geometry")
    if crs != "gcj02":
        return geometry
    try:
        return datum.geometry_gcj02_to_wgs84(geometry)
    except (AttributeError, TypeError, ValueError, IndexError, RecursionError):
        raise DjangoValidationError(
            {"geometry": _("几何不是有效的 GeoJSON(需要 Polygon 或 MultiPolygon 的坐标)。")}
        )


@extend_schema(tags=["areas"])
class AreaViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Areas of the district, as far as the principal's scope reaches."""

    required_permissions = {
        "list": "areas.view", "retrieve": "areas.view", "geojson": "areas.view",
        "feature": "areas.view", "lookup": "areas.view",
        "create": "areas.manage", "partial_update": "areas.manage",
        # PUT is refused with 405 (``update``) to those who may write, 403 to the rest.
        "update": "areas.manage", "*": "areas.view",
    }
    queryset = Area.objects.all()
    lookup_field = "code"
    lookup_value_regex = "[0-9]{6,15}"
    filterset_class = AreaFilterSet
    # Whole-object replacement (PUT) is not offered: an area changes field by field.
    http_method_names = ["get", "post", "patch", "head", "options"]
    # Geometry is nested GeoJSON: only a JSON body can carry it.
    parser_classes = [JSONParser]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve"):
            # Polygons are the bulk of a row; these answers show none of them.
            queryset = queryset.select_related("parent").defer("geometry", "parent__geometry")
        elif self.action == "feature":
            queryset = queryset.select_related("parent").defer("parent__geometry")
        return queryset

    def filter_queryset(self, queryset):
        # The filters select among areas; they must not turn one area's address into a 404.
        if self.action not in ("list", "geojson"):
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_class(self):
        if self.action == "list":
            return AreaListSerializer
        if self.action == "create":
            return AreaWriteSerializer
        if self.action == "partial_update":
            return AreaUpdateSerializer
        return AreaDetailSerializer

    def _crs(self) -> str:
        return _validated(CrsQuerySerializer, self.request.query_params)["crs"]

    # --- reads --------------------------------------------------------------------------

    @extend_schema(
        summary="区域列表(不含几何)",
        parameters=FILTER_PARAMETERS,
        responses={200: AreaListSerializer(many=True), **READ_ERRORS},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="区域详情",
        description="上级、下级数量、面积、中心点(WGS-84)、有效期、责任主体、工作人员(手机号脱敏)。",
        responses={200: AreaDetailSerializer, 401: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="区域 GeoJSON(FeatureCollection)",
        operation_id="areas_geojson",
        description=(
            "范围内区域的 GeoJSON 要素集合,筛选条件同列表;`bbox` 只保留与该矩形相交的区域,"
            "其坐标与输出坐标都按 `crs` 解释。"
        ),
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("bbox", OpenApiTypes.STR,
                             description="minLng,minLat,maxLng,maxLat(按 crs 坐标系)"),
            CRS_PARAMETER,
        ],
        responses={200: FeatureCollectionSerializer, **READ_ERRORS},
    )
    @action(
        detail=False, methods=["get"], url_path="geojson",
        renderer_classes=[GeoJSONRenderer, JSONRenderer], pagination_class=None,
    )
    def geojson(self, request):
        params = _validated(GeoJSONQuerySerializer, request.query_params)
        crs = params["crs"]
        # One query, no model instances: the polygon comes as the stored JSON text and, in
        # WGS-84 with no window, is copied into the answer without being parsed and re-encoded
        # (the bulk of a district-wide collection).
        rows = (
            self.filter_queryset(self.get_queryset())
            .select_related(None)
            .annotate(parent_code=F("parent__code"), geometry_text=Cast("geometry", TextField()))
            .values_list("code", "name", "level", "kind", "parent_code", "area_m2",
                         "households", "generated", "geometry_text")
        )
        window = None
        if "bbox" in params:
            min_lng, min_lat, max_lng, max_lat = params["bbox"]
            if crs == "gcj02":
                min_lng, min_lat = datum.to_wgs84(min_lng, min_lat, crs)
                max_lng, max_lat = datum.to_wgs84(max_lng, max_lat, crs)
            window = box(min_lng, min_lat, max_lng, max_lat)
            # The stored bounding boxes narrow the candidates in SQL; shapely decides the rest.
            rows = rows.filter(
                Q(min_lng__isnull=True)
                | Q(min_lng__lte=max_lng, max_lng__gte=min_lng,
                    min_lat__lte=max_lat, max_lat__gte=min_lat)
            )
        labels = _labels()
        parts = []
        for *attrs, geometry_text in rows.iterator(chunk_size=500):
            if window is not None or crs == "gcj02":
                geometry = json.loads(geometry_text)
                if window is not None and not window.intersects(shape(geometry)):
                    continue
                if crs == "gcj02":
                    geometry = datum.geometry_wgs84_to_gcj02(geometry)
                geometry_text = json.dumps(geometry, separators=(",", ":"))
            properties = json.dumps(
                _properties(*attrs, labels), ensure_ascii=False, separators=(",", ":")
            )
            parts.append(
                '{"type":"Feature","id":' + json.dumps(attrs[0])
                + ',"geometry":' + geometry_text + ',"properties":' + properties + "}"
            )
        body = (
            '{"type":"FeatureCollection","crs":' + json.dumps(crs)
            + ',"features":[' + ",".join(parts) + "]}"
        )
        media_type = getattr(request, "accepted_media_type", "") or GeoJSONRenderer.media_type
        if not media_type.startswith(("application/json", "application/geo+json")):
            media_type = GeoJSONRenderer.media_type
        return HttpResponse(body, content_type=f"{media_type.split(';')[0]}; charset=utf-8")

    @extend_schema(
        summary="单个区域的 GeoJSON 要素",
        operation_id="areas_feature",
        parameters=[CRS_PARAMETER],
        responses={200: FeatureSerializer, 400: ERRORS, 401: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    @action(
        detail=True, methods=["get"], url_path="geojson",
        renderer_classes=[GeoJSONRenderer, JSONRenderer], filter_backends=[],
    )
    def feature(self, request, code=None):
        crs = self._crs()
        return Response(_feature(self.get_object(), crs))

    @extend_schema(
        summary="坐标查网格",
        operation_id="areas_lookup",
        description=(
            "给出一个点所在的网格及其社区(村)、街道(乡镇)、区县。持有 areas.view 的用户或 API"
            "客户端均可查询,不受数据范围限制:区划归属不是敏感信息,且受理员、部门需要为本辖区外的点"
            "定位。结果只有编码和名称。点在本辖区外时返回 404,错误代码 outside_jurisdiction。"
        ),
        parameters=[
            OpenApiParameter("lng", OpenApiTypes.DOUBLE, required=True, description="经度"),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True, description="纬度"),
            CRS_PARAMETER,
        ],
        responses={200: LookupResultSerializer, 400: ERRORS, 401: ERRORS, 403: ERRORS,
                   404: OpenApiResponse(ErrorListSerializer, description="不在本辖区范围内")},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def lookup(self, request):
        params = _validated(LookupQuerySerializer, request.query_params)
        lng, lat = datum.to_wgs84(params["lng"], params["lat"], params["crs"])
        try:
            grid = index.lookup_point(lng, lat, crs="wgs84")
        except index.OutsideJurisdiction:
            raise exceptions.NotFound(
                _("该位置不在本辖区范围内"), code="outside_jurisdiction"
            )
        codes = [grid.code[:n] for n in (6, 9, 12)]
        above = {a.code: a for a in Area.objects.filter(code__in=codes).defer("geometry")}
        result = {
            "lng": lng,
            "lat": lat,
            "grid": grid,
            "community": above.get(grid.code[:12]),
            "street": above.get(grid.code[:9]),
            "district": above.get(grid.code[:6]),
        }
        return Response(LookupResultSerializer(result).data)

    # --- writes (system administrator, through areas.actions) ------------------------------

    @extend_schema(
        summary="新建区域(系统管理员)",
        description=(
            "几何为 GeoJSON,坐标系由 `crs` 指定;违反几何规则(超出上级、与同级重叠)返回 400。"
        ),
        parameters=[CRS_PARAMETER],
        request=AreaWriteSerializer,
        responses={201: AreaDetailSerializer, 400: ERRORS, 401: ERRORS, 403: ERRORS},
    )
    def create(self, request, *args, **kwargs):
        # The permission gate (``required_permissions``) has answered 403 before the body is
        # read, so a principal who may change no area never learns which field was wrong.
        crs = self._crs()
        data = dict(_validated(AreaWriteSerializer, request.data))
        data["geometry"] = _geometry_in(data["geometry"], crs)
        data.setdefault("valid_from", timezone.localdate())
        data.setdefault("parent", None)
        area = actions.create_area(actor=request.user, **data)
        area = Area.objects.select_related("parent").defer("parent__geometry").get(pk=area.pk)
        body = AreaDetailSerializer(area, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改区域(系统管理员)",
        description="只改给出的字段;给出 `valid_to` 即按该日期撤销区域。",
        parameters=[CRS_PARAMETER],
        request=AreaUpdateSerializer,
        responses={200: AreaDetailSerializer, 400: ERRORS, 401: ERRORS, 403: ERRORS,
                   404: ERRORS},
    )
    def partial_update(self, request, *args, **kwargs):
        area = self.get_object()
        crs = self._crs()
        changes = dict(_validated(AreaUpdateSerializer, request.data))
        if "geometry" in changes:
            changes["geometry"] = _geometry_in(changes["geometry"], crs)
        valid_to = changes.pop("valid_to", None)
        if changes:
            area = actions.update_area(area, actor=request.user, **changes)
        if valid_to is not None:
            area = actions.retire_area(area, valid_to=valid_to, actor=request.user)
        area = Area.objects.select_related("parent").defer("parent__geometry").get(pk=area.pk)
        return Response(AreaDetailSerializer(area, context=self.get_serializer_context()).data)

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed(request.method)

