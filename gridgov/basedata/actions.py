"""Every write to the basic data: collect, correct, tag, add a family, reveal, merge, and the
houses, organisations and components. Each verb checks the actor, validates, writes in one
transaction with an audit record and a ``ChangeRecord``, and updates the per-field provenance.

``actor=None`` is the system loader (demo seed, import command), audited as "system".
"""

import datetime as dt
from functools import lru_cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gridgov.core.access import get_scope
from gridgov.areas.index import lookup_point
from gridgov.areas.models import Area
from gridgov.audit.recorder import diff, jsonable, record

from . import access, crypto, validators
from .choices import (
    CHANGE_ROLES,
    COMPONENT_CLASSES,
    ComponentState,
    HouseUse,
    OrgType,
    RegistrationType,
    Relation,
    RentalStatus,
    Sex,
    Source,
)
from .models import Building, ChangeRecord, Component, House, Organisation, Person, Tag

PERSON_FIELDS = ("name", "id_masked", "birth_date", "sex", "registration_type", "phone_masked",
                 "address", "house", "household_head", "relation_to_head", "grid", "merged_into")
HOUSE_FIELDS = ("building", "address", "unit", "room", "use", "owner_name", "rental_status",
                "area_m2", "lng", "lat", "grid")
ORG_FIELDS = ("name", "uscc", "org_type", "legal_representative", "address", "house", "lng",
              "lat", "grid")
COMPONENT_FIELDS = ("code", "major", "minor", "name", "owner_department",
                    "custodian_department", "maintainer_department", "state", "lng", "lat",
                    "address", "grid")
BUILDING_FIELDS = ("name", "address", "floors", "lng", "lat", "grid")
# The input name of a field → the stored (masked) field it shows up as in diffs.
PROVENANCE_ALIASES = {"id_masked": "id_number", "phone_masked": "phone"}
MERGE_PROVENANCE = {"id_number_enc": "id_number", "phone_enc": "phone", "house_id": "house",
                    "household_head_id": "household_head"}


# --- who, where ----------------------------------------------------------------------------


def _require_change(actor, grid: Area) -> None:
    """The actor may write records of this grid (system loader: always)."""
    if actor is None:
        return
    scope = get_scope(actor)
    if (scope is None or scope.is_api_client or not scope.has_role(*CHANGE_ROLES)
            or not scope.covers(grid.code, roles=CHANGE_ROLES)):
        raise PermissionDenied(_("您无权采集或修改该网格的基础数据。"))


def actor_meta(actor) -> tuple[str, str]:
    """(name, department name) of an actor for provenance and change records."""
    if actor is None:
        return "system", ""
    name = getattr(actor, "real_name", "") or actor.get_username()
    dept = getattr(actor, "department", None) if getattr(actor, "department_id", None) else None
    return name, dept.name if dept else ""


def resolve_grid(*, grid=None, grid_code: str = "", lng=None, lat=None, crs: str = "wgs84",
                 field: str = "grid") -> Area:
    """The grid a record belongs to: given, by code, or found from a point."""
    if isinstance(grid, Area):
        if grid.level != "grid":
            raise ValidationError({field: _("所属区域必须是网格。")})
        return grid
    code = grid_code or (grid if isinstance(grid, str) else "")
    if code:
        try:
            return Area.objects.get(code=code, level="grid")
        except Area.DoesNotExist:
            raise ValidationError({field: _("网格编码 %(c)s 不存在。") % {"c": code}}) from None
    if lng not in (None, "") and lat not in (None, ""):
        try:
            return lookup_point(float(lng), float(lat), crs or "wgs84")
        except ValueError as exc:
            if isinstance(exc, ValidationError):
                raise
            raise ValidationError({"crs": _("不支持的坐标系。")}) from None
    raise ValidationError({field: _("请指定所属网格或位置。")})


def _point(lng, lat, crs: str = "wgs84"):
    """(lng, lat) in WGS-84 from an input in ``crs``, or (None, None)."""
    if lng in (None, "") or lat in (None, ""):
        return None, None
    if crs in ("wgs84", "cgcs2000", "", None):
        # The stored datum: no conversion (CGCS2000 and WGS-84 agree to centimetres).
        try:
            return float(lng), float(lat)
        except (TypeError, ValueError):
            raise ValidationError({"location": _("坐标无效或坐标系不受支持。")}) from None
    from gridgov.areas.datum import to_wgs84

    try:
        out = to_wgs84(float(lng), float(lat), crs or "wgs84")
    except (TypeError, ValueError):
        raise ValidationError({"location": _("坐标无效或坐标系不受支持。")}) from None
    return float(out[0]), float(out[1])


# --- history -------------------------------------------------------------------------------


def _state(obj, fields) -> dict:
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        out[name] = jsonable(getattr(obj, getattr(field, "attname", name)))
    return out


def _stamp(obj, changed, actor, source, at=None) -> None:
    """Note in ``provenance`` which collector or department supplied each changed field."""
    name, dept = actor_meta(actor)
    at = (at or timezone.now()).isoformat()
    prov = dict(obj.provenance or {})
    for field in changed:
        key = PROVENANCE_ALIASES.get(field, field)
        prov[key] = {"by": name, "department": dept, "source": source, "at": at}
    obj.provenance = prov


def _track(obj, action: str, before: dict | None, after: dict, *, actor, source,
           remark: str = "") -> dict:
    """Write the ChangeRecord and the audit record of one change; the diff."""
    changes = diff(before, after)
    name, dept = actor_meta(actor)
    ChangeRecord.objects.create(
        object_type=obj._meta.model_name, object_id=obj.pk, area_code=obj.area_code,
        action=action, changes=changes, source=source, actor=actor, actor_name=name,
        department_name=dept,
    )
    record(f"basedata.{action}", actor=actor, obj=obj, changes=changes, remark=remark)
    return changes


@lru_cache(maxsize=64)
def _labels(choices, language) -> dict:
    """label → value of a TextChoices in one language (imports give labels: 户籍人口)."""
    return {str(label): value for value, label in choices.choices}


def _choice(value, choices, field, default=None):
    if value in (None, ""):
        if default is not None:
            return default
        raise ValidationError({field: _("必填。")})
    if value in choices.values:
        return value
    found = _labels(choices, get_language()).get(str(value).strip())
    if found is not None:
        return found
    raise ValidationError({field: _("取值无效:%(v)s。") % {"v": value}})


def _collect_errors(checks) -> dict:
    """Run ``(field, fn)`` checks; {field: value} or ValidationError with every failure."""
    values, errors = {}, {}
    for field, fn in checks:
        try:
            values[field] = fn()
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errs in exc.message_dict.items():
                    errors.setdefault(key, []).extend(errs)
            else:
                errors.setdefault(field, []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return values


# --- people ---------------------------------------------------------------------------------


def person_values(data: dict) -> dict:
    """Validate a person's input fields and return the model values (encrypted, hashed,
    masked, derived). Raises ``ValidationError`` naming every bad field."""
    out = {}
    if "name" in data:
        name = (data.get("name") or "").strip()
        if not name:
            raise ValidationError({"name": _("姓名必填。")})
        out["name"] = name[:60]
    checks = []
    if "id_number" in data:
        checks.append(("id_number", lambda: (
            validators.validate_id_number(data["id_number"]) if data["id_number"] else None)))
    if "phone" in data:
        checks.append(("phone", lambda: (
            validators.validate_mobile(data["phone"]) if data["phone"] else "")))
    if "registration_type" in data:
        checks.append(("registration_type", lambda: _choice(
            data["registration_type"], RegistrationType, "registration_type",
            RegistrationType.REGISTERED)))
    if "relation_to_head" in data:
        checks.append(("relation_to_head", lambda: (
            _choice(data["relation_to_head"], Relation, "relation_to_head")
            if data["relation_to_head"] else "")))
    if "birth_date" in data and data["birth_date"]:
        checks.append(("birth_date", lambda: _date(data["birth_date"], "birth_date")))
    values = _collect_errors(checks)
    if "id_number" in values:
        parsed = values["id_number"]
        if parsed:
            number, birth, sex = parsed
            out.update(id_number_enc=crypto.encrypt(number, "id_number"),
                       id_hash=crypto.lookup_hash(number),
                       id_masked=crypto.mask_id_number(number), birth_date=birth, sex=sex)
        else:
            out.update(id_number_enc="", id_hash=None, id_masked="")
    if "birth_date" in values and not out.get("id_hash"):
        out["birth_date"] = values["birth_date"]
    if "sex" in data and data["sex"] and not out.get("id_hash"):
        out["sex"] = _choice(data["sex"], Sex, "sex")
    if "phone" in values:
        phone = values["phone"]
        out.update(phone_enc=crypto.encrypt(phone, "phone"), phone_hash=crypto.lookup_hash(phone),
                   phone_masked=crypto.mask_phone(phone))
    if "registration_type" in values:
        out["registration_type"] = values["registration_type"]
    if "relation_to_head" in values:
        out["relation_to_head"] = values["relation_to_head"]
    if "address" in data:
        out["address"] = (data.get("address") or "").strip()[:200]
    return out


def _date(value, field):
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValidationError({field: _("日期格式应为 YYYY-MM-DD。")}) from None


def _check_unique_id(id_hash, exclude_pk=None):
    if not id_hash:
        return
    qs = Person.objects.filter(id_hash=id_hash)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    existing = qs.select_related("grid").first()
    if existing:
        raise ValidationError({"id_number": ValidationError(
            _("该身份证号已登记(%(grid)s),请勿重复采集。") % {"grid": existing.grid.name},
            code="duplicate")})


def create_person(*, actor, grid=None, source: str = Source.GRID_WORKER, house=None,
                  household_head=None, tags=(), lng=None, lat=None, crs="wgs84",
                  **data) -> Person:
    """Record a person once: validate, encrypt, derive birth date and sex, refuse a second
    record of the same ID number, audit."""
    grid = resolve_grid(grid=grid if grid is not None else (house.grid if house else None),
                        lng=lng, lat=lat, crs=crs)
    _require_change(actor, grid)
    data.setdefault("name", "")
    values = person_values(data)
    if not values.get("id_hash") and not values.get("birth_date"):
        raise ValidationError({"id_number": _("请填写身份证号;无身份证号时须填写出生日期。")})
    with transaction.atomic():
        _check_unique_id(values.get("id_hash"))
        person = Person(grid=grid, area_code=grid.code, source=source, collected_by=actor,
                        updated_by=actor, house=house, household_head=household_head,
                        **values)
        if house and not person.address:
            person.address = str(house)
        stamped = [k for k in values if not k.endswith(("_enc", "_hash"))]
        _stamp(person, stamped + ["grid"] + (["house"] if house else []), actor, source)
        person.save()
        if tags:
            _apply_tags(person, tags, actor)
        _track(person, "person.create", None, _state(person, PERSON_FIELDS), actor=actor,
               source=source)
    return person


def update_person(person: Person, *, actor, source: str = Source.GRID_WORKER, **changes) -> Person:
    """Correct a person's fields; only the changed ones are stamped and recorded."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        _require_change(actor, person.grid)
        before = _state(person, PERSON_FIELDS)
        refs = {k: changes.pop(k) for k in ("house", "household_head") if k in changes}
        if "grid" in changes or "grid_code" in changes:
            grid = resolve_grid(grid=changes.pop("grid", None),
                                grid_code=changes.pop("grid_code", ""))
            _require_change(actor, grid)
            person.grid, person.area_code = grid, grid.code
        unknown = set(changes) - {"name", "id_number", "phone", "registration_type",
                                  "relation_to_head", "address", "birth_date", "sex"}
        if unknown:
            raise ValidationError({sorted(unknown)[0]: _("不能修改该字段。")})
        if "id_number" in changes and changes["id_number"] and person.id_hash and (
                crypto.lookup_hash(validators.normalise_id_number(changes["id_number"]))
                == person.id_hash):
            changes.pop("id_number")
        if "phone" in changes and changes["phone"] and person.phone_hash == crypto.lookup_hash(
                changes["phone"].strip()):
            changes.pop("phone")
        values = person_values(changes)
        _check_unique_id(values.get("id_hash"), exclude_pk=person.pk)
        for key, value in {**values, **refs}.items():
            setattr(person, key, value)
        after = _state(person, PERSON_FIELDS)
        changed = [k for k in after if after[k] != before[k]]
        for enc, masked in (("id_number_enc", "id_masked"), ("phone_enc", "phone_masked")):
            if enc in values and masked not in changed:
                changed.append(masked)
        if not changed:
            return person
        person.updated_by = actor
        person.source = source
        _stamp(person, changed, actor, source)
        person.save()
        _track(person, "person.update", before, after, actor=actor, source=source)
    return person


def _apply_tags(person, tags, actor):
    names = [t.name if isinstance(t, Tag) else str(t).strip() for t in tags if t]
    found = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise ValidationError({"tags": _("未知的人群标签:%(t)s。") % {"t": "、".join(missing)}})
    if actor is not None and not access.can_see_special(actor):
        if any(t.restricted for t in found.values()):
            raise ValidationError({"tags": _("您无权设置特殊人群标签。")})
    person.tags.add(*found.values())


def set_tags(person: Person, tags, *, actor, source: str = Source.GRID_WORKER) -> Person:
    """Replace the tags the actor may see; restricted tags the actor cannot see stay as they
    are (a grid worker editing care groups never learns or drops a special-group tag).

    The record's own history (``ChangeRecord``, shown on its page) lists unrestricted tags
    only; the full change, special groups included, is in the audit chain, which only the
    audit administrator reads."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        _require_change(actor, person.grid)
        special = actor is None or access.can_see_special(actor)
        current = list(person.tags.all())
        before_all = sorted(t.name for t in current)
        before_open = sorted(t.name for t in current if not t.restricted)
        kept = [t for t in current if not special and t.restricted]
        person.tags.clear()
        person.tags.add(*kept)
        _apply_tags(person, tags, actor)
        now = list(person.tags.all())
        after_all = sorted(t.name for t in now)
        after_open = sorted(t.name for t in now if not t.restricted)
        if before_all != after_all:
            _stamp(person, ["tags"], actor, source)
            person.updated_by = actor
            person.save(update_fields=["provenance", "updated_by", "updated_at"])
            name, dept = actor_meta(actor)
            if before_open != after_open:
                ChangeRecord.objects.create(
                    object_type="person", object_id=person.pk, area_code=person.area_code,
                    action="person.tags", changes={"tags": [before_open, after_open]},
                    source=source, actor=actor, actor_name=name, department_name=dept)
            record("basedata.person.tags", actor=actor, obj=person,
                   changes={"tags": [before_all, after_all]})
    return person


def add_family(*, actor, head: dict, members=(), grid=None, house=None,
               house_data: dict | None = None, source: str = Source.GRID_WORKER) -> list:
    """Record a household in one go: its house (existing or new), the head and the members,
    each linked to the head with their relation. All or nothing; the errors of every member
    are reported as ``members.<n>.<field>``."""
    with transaction.atomic():
        if house is None and house_data:
            house = create_house(actor=actor, grid=grid, source=source, **house_data)
        grid = house.grid if house is not None else resolve_grid(grid=grid)
        _require_change(actor, grid)
        errors = {}
        head_tags = head.pop("tags", ())
        try:
            head_person = create_person(actor=actor, grid=grid, house=house, source=source,
                                        tags=head_tags, relation_to_head=Relation.HEAD, **head)
        except ValidationError as exc:
            errors.update({f"head.{k}": v for k, v in exc.message_dict.items()})
            head_person = None
        people = [head_person]
        for n, member in enumerate(members):
            member = dict(member)
            tags = member.pop("tags", ())
            try:
                person = create_person(actor=actor, grid=grid, house=house, source=source,
                                       household_head=head_person, tags=tags, **member)
                people.append(person)
            except ValidationError as exc:
                errors.update({f"members.{n}.{k}": v for k, v in exc.message_dict.items()})
        if errors:
            raise ValidationError(errors)
        head_person.household_head = head_person
        head_person.save(update_fields=["household_head"])
    return people


def reveal(person: Person, field: str, *, actor, reason: str) -> str:
    """The full ID number or phone of a person, for a role that needs it, with a reason;
    every reveal is an audit record (the value itself is not recorded)."""
    if field not in ("id_number", "phone"):
        raise ValidationError({"field": _("只能查看身份证号或手机号。")})
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写查看完整信息的理由。")})
    if not access.can_reveal(actor):
        raise PermissionDenied(_("您的角色无权查看完整的个人信息。"))
    if not Person.objects.restrict(actor).filter(pk=person.pk).exists():
        raise PermissionDenied(_("您无权查看该人员。"))
    value = person.id_number() if field == "id_number" else person.phone()
    with transaction.atomic():
        record("basedata.person.reveal", actor=actor, obj=person,
               changes={"field": field}, remark=reason[:500])
    return value


def merge_candidates(queryset, limit: int = 100) -> list[dict]:
    """Groups of current people sharing name, birth date and address: probably one person
    recorded twice (an ID typo, or one record without an ID number)."""
    rows = (queryset.filter(merged_into__isnull=True).exclude(birth_date=None)
            .values("name", "birth_date", "address").annotate(n=Count("pk")).filter(n__gt=1)
            .order_by("name", "birth_date")[:limit])
    groups = []
    keys = list(rows)
    if not keys:
        return groups
    people = list(queryset.filter(merged_into__isnull=True,
                                  name__in={k["name"] for k in keys})
                  .select_related("grid").order_by("pk"))
    for key in keys:
        members = [p for p in people if p.name == key["name"] and
                   p.birth_date == key["birth_date"] and p.address == key["address"]]
        if len(members) > 1:
            groups.append({**key, "people": members})
    return groups


def merge_people(primary: Person, duplicates, *, actor, reason: str = "") -> Person:
    """Confirm that ``duplicates`` are ``primary`` (data officer): fill the primary's empty
    fields from them, move tags, household members and tenancies, and mark them merged."""
    if actor is not None and not access.can_merge(actor):
        raise PermissionDenied(_("只有数据专员可以合并人员。"))
    with transaction.atomic():
        primary = Person.objects.select_for_update().get(pk=primary.pk)
        _require_change(actor, primary.grid)
        dups = list(Person.objects.select_for_update().filter(
            pk__in=[d.pk for d in duplicates]).exclude(pk=primary.pk))
        if not dups:
            raise ValidationError({"duplicates": _("请选择要合并的重复记录。")})
        before = _state(primary, PERSON_FIELDS)
        filled = []
        for dup in dups:
            _require_change(actor, dup.grid)
            if dup.merged_into_id:
                raise ValidationError({"duplicates": _("%(n)s 已被合并。") % {"n": dup}})
            for field in ("id_number_enc", "phone_enc", "address", "house_id",
                          "household_head_id", "relation_to_head", "sex", "birth_date"):
                if not getattr(primary, field) and getattr(dup, field):
                    setattr(primary, field, getattr(dup, field))
                    filled.append(field)
                    if field in ("id_number_enc", "phone_enc"):
                        stem = field[:-4]
                        hash_field = "id_hash" if stem == "id_number" else "phone_hash"
                        mask_field = "id_masked" if stem == "id_number" else "phone_masked"
                        setattr(primary, hash_field, getattr(dup, hash_field))
                        setattr(primary, mask_field, getattr(dup, mask_field))
            primary.tags.add(*dup.tags.all())
            Person.objects.filter(household_head=dup).update(household_head=primary)
            for house in dup.rented_houses.all():
                house.tenants.add(primary)
            dup_before = _state(dup, PERSON_FIELDS)
            dup.merged_into = primary
            dup.id_hash = None  # the primary now holds the unique ID number
            dup.updated_by = actor
            dup.save()
            _track(dup, "person.merged", dup_before, _state(dup, PERSON_FIELDS), actor=actor,
                   source=Source.DEPARTMENT, remark=reason)
        primary.updated_by = actor
        _stamp(primary, [MERGE_PROVENANCE.get(f, f) for f in filled], actor, Source.DEPARTMENT)
        primary.save()
        after = _state(primary, PERSON_FIELDS)
        after["merged"] = sorted(d.pk for d in dups)
        _track(primary, "person.merge", before, after, actor=actor, source=Source.DEPARTMENT,
               remark=reason)
    return primary


# --- buildings and houses -------------------------------------------------------------------


def create_building(*, actor, name: str, address: str, grid=None, lng=None, lat=None,
                    crs="wgs84", floors=None, source: str = Source.GRID_WORKER) -> Building:
    """Record a building (楼栋) at a standard address."""
    wlng, wlat = _point(lng, lat, crs)
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
    wlng, wlat = _point(lng, lat, crs)
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
                 **changes) -> House:
    """Change a house's fields and, when given, its tenants."""
    with transaction.atomic():
        house = House.objects.select_for_update().get(pk=house.pk)
        _require_change(actor, house.grid)
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
    wlng, wlat = _point(lng, lat, crs)
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
                        **changes) -> Organisation:
    """Correct an organisation's fields."""
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=org.pk)
        _require_change(actor, org.grid)
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
    wlng, wlat = _point(lng, lat, crs)
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


# --- keys -----------------------------------------------------------------------------------


def rotate_keys(*, batch_size: int = 500, stdout=None) -> dict:
    """Re-encrypt every ID number and phone not yet under the first configured key. Safe to
    run again (already rotated rows are skipped); audited once as the system."""
    current = crypto.current_key_id()
    counts = {"checked": 0, "rotated": 0}
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(Person.objects.select_for_update().filter(pk__gt=last_pk)
                        .order_by("pk")[:batch_size]
                        .only("pk", "id_number_enc", "phone_enc"))
            if not rows:
                break
            changed = []
            for person in rows:
                counts["checked"] += 1
                dirty = False
                for field, purpose in (("id_number_enc", "id_number"), ("phone_enc", "phone")):
                    token = getattr(person, field)
                    if token and crypto.token_key_id(token) != current:
                        setattr(person, field, crypto.encrypt(crypto.decrypt(token, purpose),
                                                              purpose))
                        dirty = True
                if dirty:
                    changed.append(person)
            Person.objects.bulk_update(changed, ["id_number_enc", "phone_enc"])
            counts["rotated"] += len(changed)
            last_pk = rows[-1].pk
        if stdout is not None:
            stdout.write(f"{counts['checked']} checked, {counts['rotated']} re-encrypted\n")
    with transaction.atomic():
        record("basedata.rotate_keys", actor=None, object_type="basedata.person",
               object_id="keys", changes={"key": current, **counts})
    return counts
