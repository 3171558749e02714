"""The registry's verbs on one camera: register, update, set its status, retire; and the
bulk path the demo loader takes.

Every verb is the owner's managers' (``video.manage`` for the owner department) or the
system's, runs in one transaction with one audit record, and lets the nearby index rebuild.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record

from ..choices import SharingType
from ..models import Camera, CameraStatusChange
from .common import (
    actor_user,
    after_write,
    camera_state,
    clean_code,
    clean_kind,
    clean_status,
    clean_urls,
    locate,
    require_manager,
    text,
    validate_sharing,
)

EDITABLE = ("name", "kind", "place", "sharing_type", "sharing_condition", "legal_basis",
            "installed_on", "rtsp_url", "hls_url", "webrtc_url")


def _clean_date(value, field="installed_on"):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValidationError({field: _("日期格式应为 YYYY-MM-DD。")}) from None


def clean_camera(values: dict, *, partial=False) -> dict:
    """The camera's descriptive fields, cleaned (only those given when ``partial``)."""
    out = {}
    if "name" in values or not partial:
        out["name"] = text(values.get("name"), "name", max_length=100)
    if "kind" in values or not partial:
        out["kind"] = clean_kind(values.get("kind"))
    if "place" in values or not partial:
        out["place"] = text(values.get("place"), "place", required=False, max_length=200)
    for name in ("sharing_condition", "legal_basis"):
        if name in values or not partial:
            out[name] = text(values.get(name), name, required=False, max_length=2000)
    if "sharing_type" in values or not partial:
        out["sharing_type"] = values.get("sharing_type") or SharingType.CONDITIONAL
    if "installed_on" in values or not partial:
        out["installed_on"] = _clean_date(values.get("installed_on"))
    out.update(clean_urls(values if partial else {k: values.get(k, "") for k in
                                                    ("rtsp_url", "hls_url", "webrtc_url")}))
    return out


def _check_sharing(camera_or_values):
    get = (camera_or_values.get if isinstance(camera_or_values, dict)
           else lambda k: getattr(camera_or_values, k))
    validate_sharing(get("sharing_type"), get("sharing_condition"), get("legal_basis"))


def register_camera(*, actor, owner, code, name, lng, lat, crs="wgs84", status=None,
                    **fields) -> Camera:
    """Register one camera of ``owner`` (a Department) at a point given in ``crs`` (wgs84 or
    gcj02; stored WGS-84, placed in the grid containing it).

    ``code`` is its GB/T 28181 device code, unique in the registry."""
    require_manager(actor, owner)
    code = clean_code(code)
    values = clean_camera({"name": name, **fields})
    _check_sharing(values)
    status = clean_status(status)
    wlng, wlat, grid = locate(lng, lat, crs)
    now = timezone.now()
    with transaction.atomic():
        if Camera.objects.filter(code=code).exists():
            raise ValidationError({"code": _("国标编码 %(c)s 已登记。") % {"c": code}})
        camera = Camera.objects.create(
            code=code, owner=owner, lng=wlng, lat=wlat, grid_id=grid.pk, area_code=grid.code,
            status=status, status_changed_at=now, **values)
        CameraStatusChange.objects.create(camera=camera, status=status, at=now,
                                          actor=actor_user(actor), reason=_("登记"))
        record("video.register_camera", actor=actor, obj=camera, after=camera_state(camera),
               new_chain=True)
        after_write()
    return camera


def update_camera(camera, *, actor, lng=None, lat=None, crs="wgs84", **changes) -> Camera:
    """Change a camera's descriptive fields, streams, sharing class or position (the code and
    the owner stay: a camera of another code is another camera)."""
    require_manager(actor, camera.owner)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("该字段不能修改。")})
    values = clean_camera(changes, partial=True)
    with transaction.atomic():
        camera = Camera.objects.select_for_update().get(pk=camera.pk)
        before = camera_state(camera)
        for name, value in values.items():
            setattr(camera, name, value)
        if lng is not None or lat is not None:
            wlng, wlat, grid = locate(lng, lat, crs)
            camera.lng, camera.lat, camera.grid_id, camera.area_code = (
                wlng, wlat, grid.pk, grid.code)
        _check_sharing(camera)
        after = camera_state(camera)
        if after != before:
            camera.save()
            record("video.update_camera", actor=actor, obj=camera, before=before, after=after)
            after_write()
    return camera


def set_camera_status(camera, *, actor, status, reason="", at=None) -> Camera:
    """Record the camera's status (online / offline / fault) with its history; the same
    status again changes nothing (no history row, no audit record)."""
    require_manager(actor, camera.owner)
    status = clean_status(status)
    reason = text(reason, "reason", required=False, max_length=200)
    with transaction.atomic():
        camera = Camera.objects.select_for_update().get(pk=camera.pk)
        if camera.status == status:
            return camera
        at = at or timezone.now()
        previous = camera.status
        CameraStatusChange.objects.create(camera=camera, status=status, previous=previous,
                                          at=at, actor=actor_user(actor), reason=reason)
        camera.status, camera.status_changed_at = status, at
        camera.save(update_fields=["status", "status_changed_at", "updated_at"])
        record("video.set_status", actor=actor, obj=camera, before={"status": previous},
               after={"status": status}, remark=reason)
        after_write()
    return camera


def retire_camera(camera, *, actor, reason) -> Camera:
    """Take a camera out of use (dismantled, replaced): nobody can find or open it any more;
    its history and live-view log stay."""
    require_manager(actor, camera.owner)
    reason = text(reason, "reason", max_length=200)
    with transaction.atomic():
        camera = Camera.objects.select_for_update().get(pk=camera.pk)
        if not camera.is_active:
            raise ValidationError({"camera": _("该摄像头已停用。")})
        camera.is_active = False
        camera.save(update_fields=["is_active", "updated_at"])
        record("video.retire_camera", actor=actor, obj=camera, before={"is_active": True},
               after={"is_active": False}, remark=reason)
        after_write()
    return camera


def _insert(model, objs) -> None:
    """INSERT the rows with one ``executemany``: values prepared by each field as
    ``bulk_create`` would (``pre_save``, ``get_db_prep_save``), without its per-value SQL
    compilation, which is most of the time of a few thousand rows (the demo loads into every
    test database)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)))
    params = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
              for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def bulk_register(rows, *, actor=None, source="demo") -> int:
    """Insert many new cameras at once (the demo's 3,377): ``rows`` are ``Camera`` instances
    already placed (lng, lat WGS-84, grid, area_code) with valid codes; codes already present
    are skipped. One audit record for the batch. Returns how many were inserted.

    For loaders only (the system or the owner's managers of every row): it skips the per-row
    checks the other verbs make, so the caller must have built the rows from checked data."""
    rows = list(rows)
    for owner in {row.owner for row in rows}:
        require_manager(actor, owner)
    with transaction.atomic():
        # All codes, not ``code__in`` (thousands of parameters): a few bytes per camera.
        present = set(Camera.objects.values_list("code", flat=True))
        fresh = [r for r in rows if r.code not in present]
        if not fresh:
            return 0
        now = timezone.now()
        for row in fresh:
            row.status_changed_at = row.status_changed_at or now
        _insert(Camera, fresh)
        ids = dict(Camera.objects.values_list("code", "pk"))
        _insert(CameraStatusChange, [
            CameraStatusChange(camera_id=ids[r.code], status=r.status, at=r.status_changed_at,
                               reason=_("登记")) for r in fresh])
        counts = {}
        for row in fresh:
            counts[row.owner.code] = counts.get(row.owner.code, 0) + 1
        record("video.import_cameras", actor=actor, object_type="video.camera",
               object_id=f"bulk-{source}", object_repr=_("批量登记摄像头"),
               changes={"source": source, "created": len(fresh), "by_owner": counts})
        after_write()
    return len(fresh)


__all__ = ["bulk_register", "clean_camera", "register_camera",
           "retire_camera", "set_camera_status", "update_camera"]
