"""Verbs on people: collect, correct, tag, add a family, merge."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core import personal_data
from gridgov.core.querysets import VIEW

from .. import access, validators
from ..choices import (
    PersonStatus,
    RegistrationType,
    Relation,
    Sex,
    Source,
)
from ..models import ChangeRecord, Person, Tag
from .common import (
    _choice,
    _collect_errors,
    _require_change,
    _stamp,
    _state,
    _track,
    actor_meta,
    check_version,
    resolve_grid,
)
from .places import create_house

PERSON_FIELDS = ("name", "id_masked", "birth_date", "sex", "registration_type", "phone_masked",
                 "address", "house", "household_head", "relation_to_head", "grid", "merged_into",
                 "status", "status_on", "status_note", "moved_out_to", "moved_in_on")
MERGE_PROVENANCE = {"id_number_enc": "id_number", "phone_enc": "phone", "house_id": "house",
                    "household_head_id": "household_head"}

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
            out.update(id_number_enc=personal_data.encrypt(number, "id_number"),
                       id_hash=personal_data.lookup_hash(number),
                       id_masked=personal_data.mask_id_number(number), birth_date=birth, sex=sex)
        else:
            out.update(id_number_enc="", id_hash=None, id_masked="")
    if "birth_date" in values and not out.get("id_hash"):
        out["birth_date"] = values["birth_date"]
    if "sex" in data and data["sex"] and not out.get("id_hash"):
        out["sex"] = _choice(data["sex"], Sex, "sex")
    if "phone" in values:
        phone = values["phone"]
        out.update(phone_enc=personal_data.encrypt(phone, "phone"),
                   phone_hash=personal_data.lookup_hash(phone),
                   phone_masked=personal_data.mask_phone(phone))
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


def _check_unique_id(id_hash, exclude_pk=None, *, actor=None):
    """Refuse a second record of the same ID number.

    The refusal says where the existing record is only when the actor may see it
    (``restrict(actor, "view")``) or is the system; to anyone else it says only that the
    number is registered and whom to ask, so that a grid worker cannot learn, by typing an ID
    number, in which grid of another street a person lives."""
    if not id_hash:
        return
    qs = Person.objects.filter(id_hash=id_hash)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    existing = qs.select_related("grid").only("pk", "grid__name").first()
    if existing is None:
        return
    visible = actor is None or Person.objects.restrict(actor, VIEW).filter(
        pk=existing.pk).exists()
    if visible:
        message = _("该身份证号已登记(%(grid)s),请勿重复采集。") % {"grid": existing.grid.name}
    else:
        message = _("该身份证号已登记,请勿重复采集。如认为是同一人或需迁入本网格,"
                    "请联系区数据专员核实、合并。")
    raise ValidationError({"id_number": ValidationError(message, code="duplicate")})


def create_person(*, actor, grid=None, source: str = Source.GRID_WORKER, house=None,
                  household_head=None, tags=(), lng=None, lat=None, crs="wgs84",
                  moved_in_on=None, **data) -> Person:
    """Record a person once: validate, encrypt, derive birth date and sex, refuse a second
    record of the same ID number, audit. ``moved_in_on`` (迁入日期) is not in the future."""
    grid = resolve_grid(grid=grid if grid is not None else (house.grid if house else None),
                        lng=lng, lat=lat, crs=crs)
    _require_change(actor, grid)
    data.setdefault("name", "")
    values = person_values(data)
    if moved_in_on not in (None, ""):
        values["moved_in_on"] = _date(moved_in_on, "moved_in_on")
        if values["moved_in_on"] > timezone.localdate():
            raise ValidationError({"moved_in_on": _("日期不能晚于今天。")})
    if household_head is not None:
        if household_head.status != PersonStatus.RESIDING or household_head.merged_into_id:
            raise ValidationError({"household_head": _("户主须为在住人员。")})
        if not values.get("relation_to_head") or values["relation_to_head"] == Relation.HEAD:
            raise ValidationError({"relation_to_head": _("请选择与户主的关系。")})
    if not values.get("id_hash") and not values.get("birth_date"):
        raise ValidationError({"id_number": _("请填写身份证号;无身份证号时须填写出生日期。")})
    with transaction.atomic():
        _check_unique_id(values.get("id_hash"), actor=actor)
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


def update_person(person: Person, *, actor, source: str = Source.GRID_WORKER,
                  expected_version=None, **changes) -> Person:
    """Correct a person's fields; only the changed ones are stamped and recorded. A stale
    ``expected_version`` raises ``VersionConflict``."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        _require_change(actor, person.grid)
        check_version(person, expected_version)
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
                personal_data.lookup_hash(validators.normalise_id_number(changes["id_number"]))
                == person.id_hash):
            changes.pop("id_number")
        if "phone" in changes and changes["phone"] and (
                person.phone_hash == personal_data.lookup_hash(changes["phone"].strip())):
            changes.pop("phone")
        values = person_values(changes)
        _check_unique_id(values.get("id_hash"), exclude_pk=person.pk, actor=actor)
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


def _record_tags(person, before: list, *, actor, source) -> None:
    """Stamp, record and audit a change of a person's tags (``before``: the Tag objects it
    had). Nothing is written when the set is the same.

    The record's own history (``ChangeRecord``, shown on its page) lists unrestricted tags
    only; the full change, special groups included, is in the audit chain, which only the
    audit administrator reads."""
    now = list(person.tags.all())
    before_all = sorted(t.name for t in before)
    after_all = sorted(t.name for t in now)
    if before_all == after_all:
        return
    before_open = sorted(t.name for t in before if not t.restricted)
    after_open = sorted(t.name for t in now if not t.restricted)
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


def set_tags(person: Person, tags, *, actor, source: str = Source.GRID_WORKER) -> Person:
    """Replace the tags the actor may see; restricted tags the actor cannot see stay as they
    are (a grid worker editing care groups never learns or drops a special-group tag)."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        _require_change(actor, person.grid)
        special = actor is None or access.can_see_special(actor)
        current = list(person.tags.all())
        kept = [t for t in current if not special and t.restricted]
        person.tags.clear()
        person.tags.add(*kept)
        _apply_tags(person, tags, actor)
        _record_tags(person, current, actor=actor, source=source)
    return person


def add_tags(person: Person, tags, *, actor, source: str = Source.GRID_WORKER) -> Person:
    """Add tags to a person, keeping the ones it has (an import row adds, never removes);
    recorded and audited like ``set_tags`` when the set changes."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        _require_change(actor, person.grid)
        current = list(person.tags.all())
        _apply_tags(person, tags, actor)
        _record_tags(person, current, actor=actor, source=source)
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
