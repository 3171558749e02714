"""The platform's point collections: buildings, houses, components, organisations, cameras
and events (who sees what: ``collections``' module docstring, and below for cameras and
events).

- ``cameras``: ``Camera.objects.restrict(caller, "view")``, the cameras the caller may use;
  never a stream address (the live view goes through the camera page's signed link);
- ``events``: anonymous callers (and callers without a scope) get what the platform publishes
  to the public, as Open311 does: reports residents made through a public channel
  (``PUBLIC_SOURCES``), never held content, placed at their grid's centroid (no finer) with
  the category, state and street / community only. A signed-in caller or department key also
  gets, in full (the reported point, the address), the events ``Event.objects.restrict``
  lets it read.
"""

from django.db.models import BooleanField, Case, Q, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from gridgov.basedata.choices import OrgType
from gridgov.basedata.models import Building, Component, House, Organisation
from gridgov.events.choices import State
from gridgov.events.models import Event
from gridgov.protocols.open311.views import (
    CLOSED_STATES,
    HIDDEN_STATES,
    PUBLIC_SOURCES,
    public_place,
)

from .collections import Source, _scoped, feature_json, point

# Organisations whose name and address are public by law (government information disclosure):
# state organs and public institutions.
PUBLIC_ORG_TYPES = (OrgType.GOVERNMENT, OrgType.INSTITUTION)


def _url(name, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the app's pages are not mounted in this deployment
        return ""


class ScopedPoints(Source):
    """Rows of a model with a point, read through ``restrict(caller, "view")`` only."""

    model = None
    fields = ()

    def base(self, principal):
        if not _scoped(principal):
            return self.model.objects.none()
        return (self.model.objects.restrict(principal, "view")
                .filter(lng__isnull=False, lat__isnull=False).only(*self.fields))


class BuildingSource(ScopedPoints):
    id = "buildings"
    title = gettext_lazy("楼栋")
    description = gettext_lazy("楼栋的标准地址、层数和位置。")
    model = Building
    fields = ("id", "name", "address", "floors", "lng", "lat", "area_code", "updated_at")

    def feature(self, row, crs):
        return feature_json(row.pk, point(row.lng, row.lat), {
            "name": row.name, "address": row.address, "floors": row.floors,
            "grid_code": row.area_code, "url": _url("basedata:building", row.pk)}, crs)


class HouseSource(ScopedPoints):
    id = "houses"
    title = gettext_lazy("房屋")
    description = gettext_lazy("房屋的地址、单元、房号、用途和面积;不含产权人、承租人等个人信息。")
    model = House
    fields = ("id", "address", "unit", "room", "use", "area_m2", "building_id", "lng", "lat",
              "area_code", "updated_at")

    def feature(self, row, crs):
        return feature_json(row.pk, point(row.lng, row.lat), {
            "address": row.address, "unit": row.unit, "room": row.room, "use": row.use,
            "use_label": str(row.get_use_display()), "area_m2": row.area_m2,
            "building_id": row.building_id, "grid_code": row.area_code,
            "url": _url("basedata:house", row.pk)}, crs)


class ComponentSource(ScopedPoints):
    id = "components"
    title = gettext_lazy("城市部件")
    description = gettext_lazy("井盖、路灯、公交站亭等城市部件的编码、类别、状态和位置。")
    model = Component
    fields = ("id", "code", "major", "minor", "name", "state", "lng", "lat", "address",
              "area_code", "updated_at")

    def feature(self, row, crs):
        return feature_json(row.pk, point(row.lng, row.lat), {
            "code": row.code, "name": row.name, "class_name": row.class_name,
            "state": row.state, "state_label": str(row.get_state_display()),
            "address": row.address, "grid_code": row.area_code,
            "url": _url("basedata:component", row.pk)}, crs)


class OrganisationSource(Source):
    id = "organisations"
    title = gettext_lazy("单位")
    description = gettext_lazy(
        "机关、事业单位(向社会公开)以及您权限范围内的其他单位的名称、类型和地址。")
    public = True
    fields = ("id", "name", "org_type", "address", "lng", "lat", "updated_at")

    def base(self, principal):
        public = Q(org_type__in=PUBLIC_ORG_TYPES)
        if _scoped(principal):
            public |= Q(pk__in=Organisation.objects.restrict(principal, "view").values("pk"))
        return (Organisation.objects.filter(public)
                .filter(lng__isnull=False, lat__isnull=False).only(*self.fields))

    def feature(self, row, crs):
        return feature_json(row.pk, point(row.lng, row.lat), {
            "name": row.name, "org_type": row.org_type,
            "org_type_label": str(row.get_org_type_display()), "address": row.address}, crs)


class CameraSource(Source):
    id = "cameras"
    title = gettext_lazy("摄像头")
    description = gettext_lazy("您可以调阅的共享摄像头(国标编码、名称、所属部门和状态)。")
    overlay = True

    def base(self, principal):
        from gridgov.video.models import Camera

        if not _scoped(principal):
            return Camera.objects.none()
        return (Camera.objects.restrict(principal, "view").select_related("owner")
                .only("id", "code", "name", "kind", "status", "lng", "lat", "owner__name",
                      "updated_at"))

    def feature(self, row, crs):
        return feature_json(row.pk, point(row.lng, row.lat), {
            "code": row.code, "name": row.name, "owner": row.owner.name,
            "status": row.status, "status_label": str(row.get_status_display()),
            "kind_label": str(row.get_kind_display()),
            "url": _url("video:camera", row.code)}, crs)


class EventSource(Source):
    id = "events"
    title = gettext_lazy("事件")
    description = gettext_lazy(
        "居民通过公开渠道反映的事件(定位到网格中心),以及您权限范围内的事件。")
    public = True
    temporal = "created_at"

    def base(self, principal):
        qs = (Event.objects.exclude(state__in=HIDDEN_STATES)
              .exclude(Q(state=State.VOID) & ~Q(hold_reason=""))
              .select_related("category", "department", "grid__parent__parent")
              .only("id", "number", "state", "source", "category__name", "category__code",
                    "department__name", "address", "lng", "lat", "created_at", "grid__name",
                    "grid__level", "grid__centroid_lng", "grid__centroid_lat",
                    "grid__parent__name", "grid__parent__level",
                    "grid__parent__parent__name", "grid__parent__parent__level"))
        public = Q(source__in=PUBLIC_SOURCES)
        if not _scoped(principal):
            return qs.filter(public).annotate(
                full_view=Value(False, output_field=BooleanField()))
        in_scope = Q(pk__in=Event.objects.restrict(principal).values("pk"))
        return qs.filter(public | in_scope).annotate(full_view=Case(
            When(in_scope, then=Value(True)), default=Value(False),
            output_field=BooleanField()))

    def bbox_q(self, box) -> Q:
        minx, miny, maxx, maxy = box
        # A full view is found where it was reported, a public one at its grid's centroid:
        # the bbox must not find a public event by its real point.
        exact = Q(lng__gte=minx, lng__lte=maxx, lat__gte=miny, lat__lte=maxy)
        centroid = Q(grid__centroid_lng__gte=minx, grid__centroid_lng__lte=maxx,
                     grid__centroid_lat__gte=miny, grid__centroid_lat__lte=maxy)
        return (Q(full_view=True) & exact) | (Q(full_view=False) & centroid)

    def feature(self, row, crs):
        properties = {
            "number": row.number,
            "category": row.category.name if row.category_id else "",
            "state": row.state, "state_label": str(row.get_state_display()),
            "status": "closed" if row.state in CLOSED_STATES else "open",
            "place": public_place(row),
            "created_at": row.created_at.isoformat(),
        }
        if row.full_view:
            properties.update({"address": row.address, "department":
                               row.department.name if row.department_id else "",
                               "url": _url("events:detail", row.pk)})
            geometry = point(row.lng, row.lat)
        else:
            properties["located"] = "grid"
            geometry = point(row.grid.centroid_lng, row.grid.centroid_lat)
        return feature_json(row.pk, geometry, properties, crs)


PLATFORM_SOURCES = [BuildingSource(), HouseSource(), ComponentSource(), OrganisationSource(),
                    CameraSource(), EventSource()]
