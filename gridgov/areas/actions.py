"""Writes to the area hierarchy: create, update, retire, and a bulk form for loaders.

Every action checks the actor (only the system administrator maintains areas; ``actor=None``
is a system loader such as the demo or an import command), validates the code, level, kind,
parent, dates and polygon rules, writes in one transaction together with its audit record,
moves ``AreaRevision`` on, and asks this process's point index to rebuild once the
transaction has committed (other processes notice the revision within
``GRIDGOV_AREA_INDEX_TTL`` seconds).

Audit records carry the changed fields, but never the polygon itself (thousands of vertices):
a SHA-256 of the GeoJSON and the area in m² stand for it.
"""

import datetime as dt

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import jsonable, record
from gridgov.core.access import require

from . import index
from .choices import CODE_LENGTH, KINDS_BY_LEVEL, PARENT_LEVEL, Kind, Level
from .geometry import (
    area_m2,
    area_shape,
    bbox,
    centroid,
    check_area,
    geometry_digest,
    outside_m2,
    outside_parent_error,
    overlap_errors,
    shape_from_geojson,
    to_geojson,
    tolerance_m2,
)
from .models import Area, AreaRevision

# Fields shown in the audit difference (the polygon is represented by its digest and area).
AUDIT_FIELDS = (
    "code", "name", "level", "kind", "parent", "area_m2", "centroid_lng", "centroid_lat",
    "land_use", "management_level", "responsible_party", "households", "valid_from",
    "valid_to", "generated", "source",
)
# Attributes a caller may set besides the required ones.
OPTIONAL_ATTRS = (
    "land_use", "management_level", "responsible_party", "households", "generated", "source",
    "valid_to",
)
# What update_area may change; code, level and parent define the hierarchy and stay fixed
# (re-coding an area means retiring it and creating its successor).
UPDATABLE = ("name", "kind", "geometry", "valid_from", *OPTIONAL_ATTRS)
FIXED = ("code", "level", "parent")

# GB/T 10114 ranges of the 3-digit part by kind: streets 001-099, towns 100-199, townships
# 200-399; residents' committees (communities) 001-199, villagers' committees 200-399.
SEQUENCE_RANGE = {
    Kind.STREET: (1, 99),
    Kind.TOWN: (100, 199),
    Kind.TOWNSHIP: (200, 399),
    Kind.COMMUNITY: (1, 199),
    Kind.VILLAGE: (200, 399),
    Kind.BASIC_GRID: (1, 999),
    Kind.DEDICATED_GRID: (1, 999),
}


# --- Checks -----------------------------------------------------------------------------------

def _require_admin(actor) -> None:
    """Only holders of "areas.manage" (or a system loader, ``actor=None``) write areas."""
    require(actor, "areas.manage", message=_("只有系统管理员可以维护区域。"))


def _as_date(value, field):
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: _("日期格式应为 YYYY-MM-DD。")}, code="invalid")


def _check_dates(valid_from, valid_to) -> None:
    if valid_from is None:
        raise ValidationError({"valid_from": _("请填写启用日期。")}, code="required")
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(
            {"valid_to": _("停用日期不能早于启用日期。")}, code="invalid_dates"
        )


def _check_identity(*, code, name, level, kind, parent, valid_from, taken_codes=None) -> None:
    """Code format and prefix, level, kind, parent level and validity, name. Raises.

    ``taken_codes``: the codes already in use, when the caller has them (bulk loads); the
    database is asked otherwise.
    """
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if level not in Level.values:
        raise ValidationError({"level": _("未知的层级:%(level)s。") % {"level": level}})
    level = Level(level)
    if not (name or "").strip():
        add("name", _("请填写名称。"))
    if kind not in KINDS_BY_LEVEL[level]:
        allowed = "、".join(str(Kind(k).label) for k in sorted(KINDS_BY_LEVEL[level]))
        add("kind", _("%(level)s的类型只能是:%(allowed)s。")
            % {"level": level.label, "allowed": allowed})
    length = CODE_LENGTH[level]
    code = code or ""
    if not (code.isascii() and code.isdigit() and len(code) == length):
        add("code", _("%(level)s编码应为 %(n)d 位数字。") % {"level": level.label, "n": length})
    if level == Level.DISTRICT:
        if parent is not None:
            add("parent", _("区县不能有上级区域。"))
    elif parent is None:
        add("parent", _("请选择上级区域。"))
    else:
        wanted = PARENT_LEVEL[level]
        if parent.level != wanted:
            add("parent", _("%(level)s的上级必须是%(parent)s。")
                % {"level": level.label, "parent": Level(wanted).label})
        elif "code" not in errors and not code.startswith(parent.code):
            add("code", _("编码必须以上级区域编码 %(code)s 开头。") % {"code": parent.code})
        if valid_from is not None and not (
            parent.valid_from <= valid_from
            and (parent.valid_to is None or valid_from < parent.valid_to)
        ):
            add("parent", _("上级区域 %(parent)s 在启用日期 %(day)s 不在有效期内。")
                % {"parent": str(parent), "day": valid_from.isoformat()})
    if "code" not in errors and level != Level.DISTRICT and kind in SEQUENCE_RANGE:
        seq = int(code[-3:])
        low, high = SEQUENCE_RANGE[kind]
        if not low <= seq <= high:
            add("code", _("%(kind)s编码的末三位应在 %(low)03d–%(high)03d 之间(GB/T 10114)。")
                % {"kind": Kind(kind).label, "low": low, "high": high})
    if "code" not in errors and (
        code in taken_codes if taken_codes is not None
        else Area.objects.filter(code=code).exists()
    ):
        add("code", _("编码 %(code)s 已被使用。") % {"code": code})
    if errors:
        raise ValidationError(errors)


def _check_children_within_dates(area: Area, valid_from, valid_to) -> None:
    """Children must not outlive their parent, nor start before it."""
    late = []
    if valid_to is not None:
        late = list(
            area.children.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=valid_to))
            .order_by("code").values_list("code", flat=True)
        )
    if late:
        codes = "、".join(late[:10])
        more = _("等 %(n)d 个") % {"n": len(late)} if len(late) > 10 else ""
        raise ValidationError(
            {"valid_to": _("下级区域 %(codes)s%(more)s 在停用日期后仍有效,请先停用下级区域。")
             % {"codes": codes, "more": more}},
            code="has_children",
        )
    early = list(
        area.children.filter(valid_from__lt=valid_from).order_by("code")
        .values_list("code", flat=True)[:10]
    )
    if early:
        raise ValidationError(
            {"valid_from": _("下级区域 %(codes)s 的启用日期早于新的启用日期。")
             % {"codes": "、".join(early)}},
            code="has_children",
        )


def _check_sequence(code: str, level, kind) -> None:
    """The GB/T 10114 range of the code's last three digits for the kind."""
    if Level(level) == Level.DISTRICT or kind not in SEQUENCE_RANGE:
        return
    low, high = SEQUENCE_RANGE[kind]
    if not low <= int(code[-3:]) <= high:
        raise ValidationError(
            {"kind": _("编码 %(code)s 的末三位不在%(kind)s的编码范围 %(low)03d–%(high)03d 内"
                       "(GB/T 10114)。") % {"code": code, "kind": Kind(kind).label,
                                              "low": low, "high": high}},
            code="invalid",
        )


# --- Audit ------------------------------------------------------------------------------------

def _audit_state(area: Area) -> dict:
    state = {}
    for name in AUDIT_FIELDS:
        field = Area._meta.get_field(name)
        state[name] = jsonable(getattr(area, field.attname))
    state["geometry_sha256"] = geometry_digest(area.geometry)
    return state


def _set_geometry(area: Area, shape) -> None:
    """Store a polygon with its derived columns (area, centroid, bounding box)."""
    area.geometry = to_geojson(shape)
    area.area_m2 = round(area_m2(shape), 2)
    area.centroid_lng, area.centroid_lat = centroid(shape)
    for key, value in bbox(shape).items():
        setattr(area, key, value)


def _after_write() -> None:
    AreaRevision.bump()
    transaction.on_commit(index.invalidate)


def _clean_attrs(attrs: dict) -> dict:
    unknown = set(attrs) - set(OPTIONAL_ATTRS)
    if unknown:
        raise TypeError(f"unknown area attribute(s): {', '.join(sorted(unknown))}")
    return attrs


# --- Actions ----------------------------------------------------------------------------------

def create_area(*, code, name, level, kind, parent, geometry, valid_from, actor,
                **attrs) -> Area:
    """Create one area (district, street, community or grid) under ``parent``.

    ``geometry`` is a GeoJSON Polygon/MultiPolygon in WGS-84 (convert GCJ-02 input with
    ``areas.datum`` first). Optional attributes: land_use, management_level,
    responsible_party, households, generated, source, valid_to.
    """
    _require_admin(actor)
    attrs = _clean_attrs(dict(attrs))
    valid_from = _as_date(valid_from, "valid_from")
    valid_to = _as_date(attrs.pop("valid_to", None), "valid_to")
    _check_dates(valid_from, valid_to)
    _check_identity(code=code, name=name, level=level, kind=kind, parent=parent,
                    valid_from=valid_from)
    shape = shape_from_geojson(geometry)
    with transaction.atomic():
        if parent is not None:
            # Lock the parent row so two writers placing children under it queue up instead
            # of both passing the sibling check.
            Area.objects.select_for_update().filter(pk=parent.pk).exists()
        check_area(level, shape, parent, valid_from=valid_from, valid_to=valid_to)
        area = Area(code=code, name=name.strip(), level=level, kind=kind, parent=parent,
                    valid_from=valid_from, valid_to=valid_to, **attrs)
        _set_geometry(area, shape)
        area.save()
        record("areas.create", actor=actor, obj=area, before=None, after=_audit_state(area))
        _after_write()
    return area


def update_area(area: Area, *, actor, **changes) -> Area:
    """Change an area's name, kind, polygon, dates or descriptive attributes.

    Code, level and parent are fixed. A new polygon must still hold every current child and
    keep clear of the siblings; changed dates are checked against the siblings too.
    """
    _require_admin(actor)
    fixed = [k for k in FIXED if k in changes]
    if fixed:
        raise ValidationError(
            {k: _("不可修改;如需调整区划,请停用原区域并新建。") for k in fixed}, code="fixed"
        )
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"unknown area field(s): {', '.join(sorted(unknown))}")
    with transaction.atomic():
        area = Area.objects.select_for_update().get(pk=area.pk)
        before = _audit_state(area)
        shape = None
        if "geometry" in changes:
            shape = shape_from_geojson(changes.pop("geometry"))
        for key in ("valid_from", "valid_to"):
            if key in changes:
                changes[key] = _as_date(changes[key], key)
        valid_from = changes.get("valid_from", area.valid_from)
        valid_to = changes.get("valid_to", area.valid_to)
        _check_dates(valid_from, valid_to)
        if "name" in changes and not (changes["name"] or "").strip():
            raise ValidationError({"name": _("请填写名称。")}, code="required")
        if "kind" in changes and changes["kind"] not in KINDS_BY_LEVEL[Level(area.level)]:
            raise ValidationError({"kind": _("该层级不能使用此类型。")}, code="invalid")
        if "kind" in changes:
            _check_sequence(area.code, area.level, changes["kind"])
        if "valid_from" in changes or "valid_to" in changes:
            _check_children_within_dates(area, valid_from, valid_to)
        if "valid_from" in changes and area.parent_id:
            parent = area.parent
            if not (parent.valid_from <= valid_from
                    and (parent.valid_to is None or valid_from < parent.valid_to)):
                raise ValidationError({"valid_from": _("启用日期不在上级区域的有效期内。")})
        if shape is not None or "valid_from" in changes or "valid_to" in changes:
            check_shape = shape if shape is not None else area_shape(area)
            check_area(area.level, check_shape, area.parent, exclude_pk=area.pk,
                       valid_from=valid_from, valid_to=valid_to)
        if shape is not None:
            errors = []
            # Children valid today or later must fit; ones already ended keep their history.
            today = timezone.localdate()
            live = area.children.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
            for child in live.order_by("code"):
                child_shape = area_shape(child)
                if shape.contains(child_shape):
                    continue
                out = outside_m2(child_shape, shape)
                if out > tolerance_m2(child.area_m2):
                    errors.append(
                        _("下级区域 %(child)s 有约 %(area).1f 平方米落在新范围之外,"
                          "请先调整下级区域。") % {"child": str(child), "area": out}
                    )
            if errors:
                raise ValidationError({"geometry": errors})
            _set_geometry(area, shape)
        for key, value in changes.items():
            setattr(area, key, value.strip() if key == "name" else value)
        after = _audit_state(area)
        if before != after:
            area.save()
            record("areas.update", actor=actor, obj=area, before=before, after=after)
            _after_write()
    return area


def retire_area(area: Area, *, valid_to, actor) -> Area:
    """End an area's validity on ``valid_to`` (exclusive: the last day is the day before).

    Children still valid after that day must be retired (or moved) first.
    """
    _require_admin(actor)
    valid_to = _as_date(valid_to, "valid_to")
    if valid_to is None:
        raise ValidationError({"valid_to": _("请填写停用日期。")}, code="required")
    with transaction.atomic():
        area = Area.objects.select_for_update().get(pk=area.pk)
        _check_dates(area.valid_from, valid_to)
        _check_children_within_dates(area, area.valid_from, valid_to)
        before = _audit_state(area)
        area.valid_to = valid_to
        area.save(update_fields=["valid_to", "updated_at"])
        record("areas.retire", actor=actor, obj=area, before=before, after=_audit_state(area))
        _after_write()
    return area


# --- Bulk creation for loaders ----------------------------------------------------------------

class _Group:
    """The siblings under one parent: stored ones plus the ones accepted in this batch."""

    def __init__(self, level, parent):
        self.entries = []  # (code, name, shape, area_m2, valid_from, valid_to)
        self.bounds = []
        if parent is not None and parent.pk is not None:
            rows = Area.objects.filter(level=level, parent=parent)
        elif parent is None:
            rows = Area.objects.filter(level=level, parent__isnull=True)
        else:
            rows = Area.objects.none()
        for a in rows.order_by("code"):
            self.add(a.code, a.name, area_shape(a), a.area_m2, a.valid_from, a.valid_to)

    def add(self, code, name, shape, size, valid_from, valid_to):
        self.entries.append((code, name, shape, size, valid_from, valid_to))
        self.bounds.append(shape.bounds)

    def candidates(self, shape, valid_from, valid_to):
        if not self.entries:
            return []
        b = np.asarray(self.bounds)
        minx, miny, maxx, maxy = shape.bounds
        near = np.flatnonzero(
            (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
        )
        out = []
        for i in near.tolist():
            code, name, other, size, vf, vt = self.entries[i]
            if (vt is None or vt > valid_from) and (valid_to is None or vf < valid_to):
                out.append((code, name, other, size))
        return out


def bulk_create_areas(rows, *, actor) -> list[Area]:
    """Create many areas in one transaction, each checked like ``create_area``.

    ``rows`` are dicts of ``create_area`` keywords (without ``actor``). A row's ``parent`` may
    be an ``Area``, the code of a stored area, or the code of a row earlier in the batch.
    Each row is checked against the stored areas and the rows already accepted (siblings found
    by bounding box, in memory), so a whole hierarchy loads with one pass of checks, one
    insert per level and one revision bump. Any invalid row rejects the whole batch: the
    ``ValidationError`` names the row's code. Every created area gets its own audit record.
    """
    _require_admin(actor)
    rows = [dict(row) for row in rows]
    codes = [row.get("code") for row in rows if isinstance(row.get("code"), str)]
    taken: set[str] = set()
    for i in range(0, len(codes), 500):
        taken.update(
            Area.objects.filter(code__in=codes[i:i + 500]).values_list("code", flat=True)
        )
    accepted: dict[str, tuple[Area, object]] = {}
    groups: dict[tuple, _Group] = {}
    stored_parents: dict[str, Area | None] = {}
    parent_shapes: dict[str, object] = {}
    pending: list[Area] = []
    with transaction.atomic():
        for row in rows:
            code = row.get("code") or ""
            try:
                area, shape = _bulk_row(row, accepted, groups, taken, stored_parents,
                                        parent_shapes)
            except ValidationError as exc:
                detail = exc.message_dict if hasattr(exc, "error_dict") else {
                    "non_field_errors": exc.messages}
                raise ValidationError(
                    {field: [f"[{code}] {m}" for m in msgs] for field, msgs in detail.items()}
                )
            accepted[area.code] = (area, shape)
            taken.add(area.code)
            pending.append(area)
        # Parents before children: a row's parent is stored, or an earlier row one level up.
        for level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID):
            batch = [a for a in pending if a.level == level]
            if batch:
                Area.objects.bulk_create(batch, batch_size=500)
        for area in pending:
            record("areas.create", actor=actor, obj=area, before=None,
                   after=_audit_state(area), remark=_("批量导入"))
        if pending:
            _after_write()
    return pending


def _bulk_row(row, accepted, groups, taken, stored_parents, parent_shapes):
    code = row.pop("code", None)
    name = row.pop("name", "")
    level = row.pop("level", None)
    kind = row.pop("kind", None)
    parent = row.pop("parent", None)
    geometry = row.pop("geometry", None)
    valid_from = _as_date(row.pop("valid_from", None), "valid_from")
    attrs = _clean_attrs(row)
    valid_to = _as_date(attrs.pop("valid_to", None), "valid_to")
    parent_shape = None
    if isinstance(parent, str):
        if parent in accepted:
            parent, parent_shape = accepted[parent]
        else:
            if parent not in stored_parents:
                stored_parents[parent] = Area.objects.filter(code=parent).first()
            if stored_parents[parent] is None:
                raise ValidationError(
                    {"parent": _("上级区域 %(code)s 不存在。") % {"code": parent}}
                )
            parent = stored_parents[parent]
    elif parent is not None and parent.code in accepted:
        parent_shape = accepted[parent.code][1]
    _check_dates(valid_from, valid_to)
    _check_identity(code=code, name=name, level=level, kind=kind, parent=parent,
                    valid_from=valid_from, taken_codes=taken)
    shape = shape_from_geojson(geometry)
    size = area_m2(shape)
    errors = []
    if parent is not None:
        if parent_shape is None:
            # Keep the parsed (and, once checked, prepared) polygon for the other children.
            parent_shape = parent_shapes.get(parent.code)
            if parent_shape is None:
                parent_shape = parent_shapes[parent.code] = area_shape(parent)
        reason = outside_parent_error(shape, parent_shape, str(parent), size)
        if reason:
            errors.append(reason)
    key = (level, parent.code if parent is not None else None)
    group = groups.get(key)
    if group is None:
        group = groups[key] = _Group(level, parent)
    errors.extend(overlap_errors(shape, group.candidates(shape, valid_from, valid_to), size))
    if errors:
        raise ValidationError({"geometry": errors})
    area = Area(code=code, name=name.strip(), level=level, kind=kind, parent=parent,
                valid_from=valid_from, valid_to=valid_to, **attrs)
    _set_geometry(area, shape)
    group.add(code, area.name, shape, area.area_m2, valid_from, valid_to)
    return area, shape
