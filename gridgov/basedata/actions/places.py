"""Verbs on buildings, houses, organisations and city components (部件)."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .. import validators
from ..choices import (
    COMPONENT_CLASSES,
    ComponentState,
    HouseUse,
    OrgType,
    RentalStatus,
    Source,
)
from ..models import Building, Component, House, Organisation, Person
from .common import (
    _choice,
    _collect_errors,
    _require_change,
    _stamp,
    _state,
    _track,
    check_version,
    resolve_grid,
    wgs84_point,
)

HOUSE_FIELDS = ("building", "address", "unit", "room", "use", "owner_name", "rental_status",
                "area_m2", "lng", "lat", "grid")
ORG_FIELDS = ("name", "uscc", "org_type", "legal_representative", "address", "house", "lng",
              "lat", "grid")
COMPONENT_FIELDS = ("code", "major", "minor", "name", "owner_department",
                    "custodian_department", "maintainer_department", "state", "lng", "lat",
                    "address", "grid")
BUILDING_FIELDS = ("name", "address", "floors", "lng", "lat", "grid")

# --- buildings and houses -------------------------------------------------------------------


def create_building(*, actor, name: str, address: str, grid=None, lng=None, lat=None,
                    crs="wgs84", floors=None, source: str = Source.GRID_WORKER) -> Building:
    """Record a building (楼栋) at a standard address."""
    wlng, wlat = wgs84_point(lng, lat, crs)
    grid = resolve_grid(grid=grid, lng=wlng, lat=wlat)
    _require_change(actor, grid)
    if not (name or "").strip() or not (address or "").strip():
        raise ValidationError({"address": _("楼栋名称和标准地址必填。")})
    with transaction.atomic():
        if Building.objects.filter(address=address.strip(), name=name.strip()).exists():
            raise ValidationError({"name": _("该楼栋已登记。")})
        building = Building(grid=grid, area_code=grid.code, name=name.strip(),
                            address=address.strip(), floors=floors or None, lng=wlng, lat=wlat,
                            source=source, collected_by=actor, updated_by=actor)
        _stamp(building, BUILDING_FIELDS, actor, source)
        building.save()
        _track(building, "building.create", None, _state(building, BUILDING_FIELDS),
               actor=actor, source=source)
    return building


def house_values(data: dict) -> dict:
    """Validate a house's input fields; the model values."""
    checks = []
    out = {}
    for key in ("address", "unit", "room", "owner_name"):
        if key in data:
            out[key] = str(data.get(key) or "").strip()
    if "address" in out and not out["address"]:
        raise ValidationError({"address": _("标准地址必填。")})
    if "use" in data:
        checks.append(("use", lambda: _choice(data["use"], HouseUse, "use", HouseUse.RESIDENTIAL)))
    if "rental_status" in data:
        checks.append(("rental_status", lambda: _choice(
            data["rental_status"], RentalStatus, "rental_status", RentalStatus.SELF)))
    if data.get("area_m2") not in (None, ""):
        checks.append(("area_m2", lambda: _positive(data["area_m2"], "area_m2")))
    out.update(_collect_errors(checks))
    return out


def _positive(value, field):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("应为数字。")}) from None
    if number <= 0:
        raise ValidationError({field: _("应大于0。")})
    return number


def create_house(*, actor, grid=None, building=None, lng=None, lat=None, crs="wgs84",
                 source: str = Source.GRID_WORKER, **data) -> House:
    """Record a house (address, building, unit, room, use, owner, rental status)."""
    wlng, wlat = wgs84_point(lng, lat, crs)
    if wlng is None and building is not None:
        wlng, wlat = building.lng, building.lat
    grid = resolve_grid(grid=grid if grid is not None else (building.grid if building else None),
                        lng=wlng, lat=wlat)
    _require_change(actor, grid)
    data.setdefault("address", building.address if building else "")
    values = house_values(data)
    with transaction.atomic():
        if House.objects.filter(address=values["address"], unit=values.get("unit", ""),
                                room=values.get("room", "")).exists():
            raise ValidationError({"room": _("该房屋已登记。")})
        house = House(grid=grid, area_code=grid.code, building=building, lng=wlng, lat=wlat,
                      source=source, collected_by=actor, updated_by=actor, **values)
        _stamp(house, HOUSE_FIELDS, actor, source)
        house.save()
        _track(house, "house.create", None, _state(house, HOUSE_FIELDS), actor=actor,
               source=source)
    return house


def update_house(house: House, *, actor, source: str = Source.GRID_WORKER, tenants=None,
                 expected_version=None, **changes) -> House:
    """Change a house's fields and, when given, its tenants. A stale ``expected_version``
    raises ``VersionConflict``."""
    with transaction.atomic():
        house = House.objects.select_for_update().get(pk=house.pk)
        _require_change(actor, house.grid)
        check_version(house, expected_version)
        unknown = set(changes) - {"address", "unit", "room", "owner_name", "use",
                                  "rental_status", "area_m2"}
        if unknown:
            raise ValidationError({sorted(unknown)[0]: _("不能修改该字段。")})
        before = _state(house, HOUSE_FIELDS)
        before["tenants"] = sorted(house.tenants.values_list("pk", flat=True))
        for key, value in house_values(changes).items():
            setattr(house, key, value)
        after = _state(house, HOUSE_FIELDS)
        if tenants is not None:
            allowed = Person.objects.restrict(actor, "view") if actor else Person.objects.all()
            people = list(allowed.filter(pk__in=[getattr(t, "pk", t) for t in tenants]))
            if len(people) != len(set(tenants)):
                raise ValidationError({"tenants": _("承租人不存在或不在您的范围内。")})
            house.tenants.set(people)
        after["tenants"] = sorted(house.tenants.values_list("pk", flat=True))
        changed = [k for k in after if after[k] != before[k]]
        if changed:
            house.updated_by = actor
            _stamp(house, changed, actor, source)
            house.save()
            _track(house, "house.update", before, after, actor=actor, source=source)
    return house


# --- organisations --------------------------------------------------------------------------


def organisation_values(data: dict) -> dict:
    checks = []
    out = {}
    if "name" in data:
        out["name"] = str(data.get("name") or "").strip()[:120]
        if not out["name"]:
            raise ValidationError({"name": _("单位名称必填。")})
    for key in ("legal_representative", "address"):
        if key in data:
            out[key] = str(data.get(key) or "").strip()
    if "uscc" in data:
        checks.append(("uscc", lambda: validators.validate_uscc(data["uscc"])))
    if "org_type" in data:
        checks.append(("org_type", lambda: _choice(data["org_type"], OrgType, "org_type",
                                                   OrgType.ENTERPRISE)))
    out.update(_collect_errors(checks))
    return out


def create_organisation(*, actor, grid=None, lng=None, lat=None, crs="wgs84", house=None,
                        source: str = Source.GRID_WORKER, **data) -> Organisation:
    """Record an organisation, once per unified social credit code."""
    wlng, wlat = wgs84_point(lng, lat, crs)
    grid = resolve_grid(grid=grid if grid is not None else (house.grid if house else None),
                        lng=wlng, lat=wlat)
    _require_change(actor, grid)
    data.setdefault("name", "")
    data.setdefault("uscc", "")
    values = organisation_values(data)
    with transaction.atomic():
        if Organisation.objects.filter(uscc=values["uscc"]).exists():
            raise ValidationError({"uscc": ValidationError(_("该统一社会信用代码已登记。"),
                                                           code="duplicate")})
        org = Organisation(grid=grid, area_code=grid.code, lng=wlng, lat=wlat, house=house,
                           source=source, collected_by=actor, updated_by=actor, **values)
        _stamp(org, ORG_FIELDS, actor, source)
        org.save()
        _track(org, "organisation.create", None, _state(org, ORG_FIELDS), actor=actor,
               source=source)
    return org


def update_organisation(org: Organisation, *, actor, source: str = Source.GRID_WORKER,
                        expected_version=None, **changes) -> Organisation:
    """Correct an organisation's fields. A stale ``expected_version`` raises
    ``VersionConflict``."""
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=org.pk)
        _require_change(actor, org.grid)
        check_version(org, expected_version)
        unknown = set(changes) - {"name", "uscc", "org_type", "legal_representative", "address"}
        if unknown:
            raise ValidationError({sorted(unknown)[0]: _("不能修改该字段。")})
        before = _state(org, ORG_FIELDS)
        values = organisation_values(changes)
        if "uscc" in values and Organisation.objects.filter(uscc=values["uscc"]).exclude(
                pk=org.pk).exists():
            raise ValidationError({"uscc": _("该统一社会信用代码已登记。")})
        for key, value in values.items():
            setattr(org, key, value)
        after = _state(org, ORG_FIELDS)
        changed = [k for k in after if after[k] != before[k]]
        if changed:
            org.updated_by = actor
            _stamp(org, changed, actor, source)
            org.save()
            _track(org, "organisation.update", before, after, actor=actor, source=source)
    return org


# --- components -----------------------------------------------------------------------------


def next_component_code(major: str, minor: str) -> str:
    """The next free code of a class: prefix + 6-digit sequence."""
    prefix = validators.component_prefix(major, minor)
    last = Component.objects.filter(code__startswith=prefix).aggregate(m=Max("code"))["m"]
    seq = int(last[len(prefix):]) + 1 if last else 1
    if seq > 999999:
        raise ValidationError({"code": _("该小类的部件序号已用完。")})
    return f"{prefix}{seq:06d}"


def create_component(*, actor, major: str, minor: str, lng, lat, crs: str = "wgs84",
                     code: str = "", name: str = "", state: str = ComponentState.INTACT,
                     owner_department=None, custodian_department=None,
                     maintainer_department=None, address: str = "",
                     source: str = Source.GRID_WORKER) -> Component:
    """Record a component (部件) at a point; its code is given or the class's next one."""
    major, minor = str(major).zfill(2), str(minor).zfill(2)
    wlng, wlat = wgs84_point(lng, lat, crs)
    if wlng is None:
        raise ValidationError({"location": _("请提供部件位置。")})
    grid = resolve_grid(lng=wlng, lat=wlat, field="location")
    _require_change(actor, grid)
    state = _choice(state, ComponentState, "state", ComponentState.INTACT)
    with transaction.atomic():
        prefix = validators.component_prefix(major, minor)
        if code:
            validators.validate_component_code(code)
            if not code.startswith(prefix):
                raise ValidationError({"code": _("部件编码与所选分类不符。")})
            if Component.objects.filter(code=code).exists():
                raise ValidationError({"code": _("该部件编码已存在。")})
        else:
            code = next_component_code(major, minor)
        comp = Component(
            grid=grid, area_code=grid.code, code=code, major=major, minor=minor,
            name=name or str(COMPONENT_CLASSES[major][1][minor]), state=state, lng=wlng,
            lat=wlat, address=address, owner_department=owner_department,
            custodian_department=custodian_department,
            maintainer_department=maintainer_department, source=source, collected_by=actor,
            updated_by=actor)
        _stamp(comp, COMPONENT_FIELDS, actor, source)
        comp.save()
        _track(comp, "component.create", None, _state(comp, COMPONENT_FIELDS), actor=actor,
               source=source)
    return comp


def set_component_state(component: Component, state: str, *, actor,
                        source: str = Source.GRID_WORKER, remark: str = "") -> Component:
    """Record a component's state (完好/破损/丢失/废弃/移除)."""
    state = _choice(state, ComponentState, "state")
    with transaction.atomic():
        comp = Component.objects.select_for_update().get(pk=component.pk)
        _require_change(actor, comp.grid)
        if comp.state == state:
            return comp
        before = _state(comp, COMPONENT_FIELDS)
        comp.state = state
        comp.updated_by = actor
        _stamp(comp, ["state"], actor, source)
        comp.save()
        _track(comp, "component.state", before, _state(comp, COMPONENT_FIELDS), actor=actor,
               source=source, remark=remark)
    return comp
