"""What every basic-data verb shares: who may write where, the grid of a record, the point
in WGS-84, and the history (provenance stamps, change records, audit)."""

from functools import lru_cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gridgov.areas.index import lookup_point
from gridgov.areas.models import Area
from gridgov.audit.recorder import diff, jsonable, record
from gridgov.core.access import require

from ..models import ChangeRecord
from ..permissions import CHANGE

# The input name of a field → the stored (masked) field it shows up as in diffs.
PROVENANCE_ALIASES = {"id_masked": "id_number", "phone_masked": "phone"}

# --- who, where ----------------------------------------------------------------------------


def _require_change(actor, grid: Area) -> None:
    """The actor may write records of this grid (system loader: always)."""
    message = _("您无权采集或修改该网格的基础数据。")
    scope = require(actor, CHANGE, message=message)
    if scope is not None and not scope.covers(grid.code, CHANGE):
        raise PermissionDenied(message)


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


def wgs84_point(lng, lat, crs: str = "wgs84"):
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


# --- optimistic concurrency ----------------------------------------------------------------


class VersionConflict(Exception):
    """The record changed since the client read it (``expected_version`` is stale).

    ``current`` is the record as it stands now: the API answers 409 with it under
    ``current``, the pages show its values with "已被他人修改"."""

    def __init__(self, current, message=""):
        super().__init__(message or _("该记录已被他人修改,请核对最新内容后重试。"))
        self.current = current


def check_version(obj, expected_version) -> None:
    """Refuse (``VersionConflict``) when ``expected_version`` is given and is not the
    record's version; call it on the row locked with ``select_for_update``."""
    if expected_version in (None, ""):
        return
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError({"expected_version": _("版本号应为整数。")}) from None
    if expected != obj.version:
        raise VersionConflict(obj)
