"""Excel / CSV import of a department's cameras (导入摄像头), with a per-row reject report.

The file is read by the basic data import's reader (``basedata.importers.read_table``: XLSX
or CSV, the same size, row and zip-bomb limits). Every row is checked first; the valid rows
are then written together in one transaction, each through the verb a page uses
(``register_camera`` / ``update_camera`` / ``set_camera_status``, so each has its own audit
record), plus one record for the batch. Rejected rows go to a CSV report (row number, the
cells as typed, the reason per cell) stored with the batch (``CameraImport``).

Rows are matched by their GB/T 28181 code: a code new to the registry registers a camera, a
code of the importer's department updates it where the row differs, and a re-run of the
same file changes nothing. A code of another department's camera is rejected.
"""

import csv
import hashlib
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.basedata.importers import ImportFileError, _capped_report, read_table
from gridgov.events.actions.intake import clean_choice

from ..choices import CameraKind, CameraStatus, SharingType
from ..models import Camera, CameraImport
from .common import actor_user, clean_code, locate, require_manager, validate_sharing
from .registry import clean_camera, register_camera, set_camera_status, update_camera

# Column headers (Chinese as in the template, or the field name) → field.
COLUMNS = {
    "国标编码": "code", "名称": "name", "类型": "kind", "经度": "lng", "纬度": "lat",
    "坐标系": "crs", "安装位置": "place", "状态": "status", "共享类型": "sharing_type",
    "共享条件": "sharing_condition", "不予共享依据": "legal_basis", "安装日期": "installed_on",
    "RTSP 地址": "rtsp_url", "HLS 地址": "hls_url", "WebRTC 地址": "webrtc_url",
}
DESCRIPTIVE = ("name", "kind", "place", "sharing_type", "sharing_condition", "legal_basis",
               "installed_on", "rtsp_url", "hls_url", "webrtc_url")


def _errors_of(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {k: " ".join(v) for k, v in exc.message_dict.items()}
    return {"": " ".join(exc.messages)}


def _normalise(raw: dict) -> dict:
    row = {}
    for key, value in raw.items():
        name = COLUMNS.get(key.strip(), key.strip() if key.strip() in COLUMNS.values() else None)
        if name:
            row[name] = value
    return row


def _validate(row: dict, owner, seen: dict, existing: dict):
    """(payload, errors) of one row: every field checked, every error kept."""
    errors, payload = {}, {}

    def check(field, fn):
        try:
            return fn()
        except ValidationError as exc:
            errors.update(_errors_of(exc))
            return None

    code = check("code", lambda: clean_code(row.get("code"), "code"))
    if code:
        if code in seen:
            errors["code"] = _("与第 %(n)d 行的国标编码重复。") % {"n": seen[code]}
        other = existing.get(code)
        if other is not None and other.owner_id != owner.pk:
            errors["code"] = _("该国标编码已由其他部门登记。")
    payload["code"] = code
    payload["kind"] = check("kind", lambda: clean_choice(row.get("kind"), CameraKind, "kind",
                                                         CameraKind.BULLET))
    payload["status"] = check("status", lambda: clean_choice(
        row.get("status"), CameraStatus, "status", CameraStatus.ONLINE))
    payload["sharing_type"] = check("sharing_type", lambda: clean_choice(
        row.get("sharing_type"), SharingType, "sharing_type", SharingType.CONDITIONAL))
    values = {k: row.get(k, "") for k in DESCRIPTIVE if k not in ("kind", "sharing_type")}
    cleaned = check("", lambda: clean_camera(
        {**values, "kind": payload["kind"] or CameraKind.BULLET,
         "sharing_type": payload["sharing_type"] or SharingType.CONDITIONAL}))
    if cleaned and payload["sharing_type"]:
        check("", lambda: validate_sharing(cleaned["sharing_type"],
                                           cleaned["sharing_condition"], cleaned["legal_basis"]))
    point = check("location", lambda: locate(row.get("lng"), row.get("lat"),
                                             row.get("crs") or "wgs84"))
    if errors:
        return None, errors
    payload.update(cleaned)
    payload["lng"], payload["lat"], _grid = point
    return payload, {}


def _differs(camera, payload) -> dict:
    return {k: payload[k] for k in DESCRIPTIVE if getattr(camera, k) != payload[k]}


def _save(valid, owner, actor, existing):
    created = updated = unchanged = 0
    late = []
    for item in valid:
        payload = dict(item)
        camera = existing.get(payload["code"])
        try:
            with transaction.atomic():
                if camera is None:
                    register_camera(actor=actor, owner=owner, **{
                        k: v for k, v in payload.items() if k not in ("n", "raw_row")})
                    created += 1
                    continue
                changes = _differs(camera, payload)
                moved = (abs(camera.lng - payload["lng"]) > 1e-7
                         or abs(camera.lat - payload["lat"]) > 1e-7)
                if changes or moved:
                    update_camera(camera, actor=actor, **changes, **(
                        {"lng": payload["lng"], "lat": payload["lat"]} if moved else {}))
                status_changed = camera.status != payload["status"]
                if status_changed:
                    set_camera_status(camera, actor=actor, status=payload["status"],
                                      reason=_("导入"))
                if changes or moved or status_changed:
                    updated += 1
                else:
                    unchanged += 1
        except ValidationError as exc:
            late.append((item, _errors_of(exc)))
    return created, updated, unchanged, late


def import_cameras(data: bytes, filename: str, *, actor, owner) -> CameraImport:
    """Import one file of ``owner``'s cameras (see the module docstring). Rows are numbered
    as in a spreadsheet (the header is row 1). A file that cannot be read at all is a
    ``ValidationError`` on "file"."""
    require_manager(actor, owner)
    try:
        raw_rows = read_table(data, filename)
    except ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    existing = {c.code: c for c in Camera.objects.filter(owner=owner)}
    codes = {_normalise(raw).get("code", "").strip() for raw in raw_rows}
    others = Camera.objects.exclude(owner=owner).filter(code__in=list(codes)[:5000])
    existing.update({c.code: c for c in others.only("pk", "code", "owner_id")})
    valid, rejected, seen = [], [], {}
    for n, raw in enumerate(raw_rows, start=2):
        payload, errors = _validate(_normalise(raw), owner, seen, existing)
        if payload and payload["code"]:
            seen.setdefault(payload["code"], n)
        if errors:
            rejected.append((n, raw, errors))
        else:
            payload["n"], payload["raw_row"] = n, raw
            valid.append(payload)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        created, updated, unchanged, late = _save(valid, owner, actor, existing)
        rejected += [(item["n"], item["raw_row"], errors) for item, errors in late]
        rejected.sort(key=lambda r: r[0])
        batch = CameraImport.objects.create(
            owner=owner, filename=filename[:200], sha256=digest, total_rows=len(raw_rows),
            created_rows=created, updated_rows=updated, unchanged_rows=unchanged,
            rejected_rows=len(rejected), created_by=actor_user(actor),
            report=_capped_report(rejected, COLUMNS) if rejected else "")
        record("video.import_cameras", actor=actor, obj=batch, new_chain=True, changes={
            "file": filename, "sha256": digest, "total": batch.total_rows, "created": created,
            "updated": updated, "unchanged": unchanged, "rejected": batch.rejected_rows})
    return batch


def template_csv() -> str:
    """An empty file with the expected headers (and one example row)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(COLUMNS))
    writer.writerow(["33020300001320000001", "鼓楼步行街北口", "球机", "121.5473", "29.8738",
                     "wgs84", "鼓楼步行街北口路灯杆", "在线", "无条件共享", "", "", "2024-05-01",
                     "", "", ""])
    return out.getvalue()


def template_xlsx() -> bytes:
    """The template as an Excel workbook (what most departments fill in)."""
    import openpyxl

    from gridgov.core.spreadsheet import safe_row

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "摄像头"
    for row in csv.reader(io.StringIO(template_csv())):
        sheet.append(safe_row(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
