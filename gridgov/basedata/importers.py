"""CSV and Excel import of people, houses and organisations.

Every row is validated; the valid rows are saved together in one transaction, the rejected
ones go to a report (CSV: each rejected row as typed, with the reason per cell) that the
uploader downloads. Nothing is dropped silently: ``total = created + updated + rejected``.
The report is stored encrypted, since a rejected row may hold personal data.
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.index import get_index
from gridgov.areas.models import Area
from gridgov.audit.recorder import record
from gridgov.core import personal_data
from gridgov.core.access import get_scope, require

from . import access, actions
from .choices import Source
from .models import House, ImportBatch, Organisation, Person, Tag
from .permissions import CHANGE

# Column headers (Chinese as in the templates, or the field name) → field.
PEOPLE_COLUMNS = {
    "姓名": "name", "身份证号": "id_number", "出生日期": "birth_date", "性别": "sex",
    "户籍类型": "registration_type", "手机号": "phone", "居住地址": "address",
    "网格编码": "grid_code", "经度": "lng", "纬度": "lat", "坐标系": "crs",
    "与户主关系": "relation_to_head", "户主身份证号": "head_id_number", "人群标签": "tags",
}
HOUSE_COLUMNS = {
    "标准地址": "address", "单元": "unit", "房号": "room", "用途": "use", "产权人": "owner_name",
    "出租状态": "rental_status", "面积": "area_m2", "网格编码": "grid_code", "经度": "lng",
    "纬度": "lat", "坐标系": "crs",
}
ORG_COLUMNS = {
    "名称": "name", "统一社会信用代码": "uscc", "类型": "org_type",
    "法定代表人": "legal_representative", "地址": "address", "网格编码": "grid_code",
    "经度": "lng", "纬度": "lat", "坐标系": "crs",
}
KINDS = {"people": PEOPLE_COLUMNS, "houses": HOUSE_COLUMNS, "organisations": ORG_COLUMNS}
LABELS = {"people": _("实有人口"), "houses": _("房屋"), "organisations": _("单位")}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, no header)."""


def read_table(data: bytes, filename: str) -> list[dict]:
    """The rows of a CSV (UTF-8, UTF-8 with BOM or GB18030) or XLSX file as dicts of strings."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook
            raise ImportFileError(_("无法读取 Excel 文件。")) from exc
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        try:
            header = [str(c).strip() if c is not None else "" for c in next(rows)]
        except StopIteration:
            raise ImportFileError(_("文件为空。")) from None
        out = []
        for values in rows:
            if values is None or all(v in (None, "") for v in values):
                continue
            out.append({h: _cell(v) for h, v in zip(header, values, strict=False) if h})
        book.close()
        return out
    if name.endswith(".csv") or name.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError(_("CSV 文件编码无法识别(请使用 UTF-8)。"))
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames:
            raise ImportFileError(_("文件为空。"))
        return [{(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
                for row in reader if any((v or "").strip() for v in row.values() if v)]
    raise ImportFileError(_("只支持 CSV 或 XLSX 文件。"))


def _cell(value) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class Context:
    """What every row of one import shares: the actor, the grids it may write, tag names."""

    actor: object
    kind: str
    grids_by_code: dict = field(default_factory=dict)
    grids_by_id: dict = field(default_factory=dict)
    tags: dict = field(default_factory=dict)
    special_ok: bool = True
    now: object = None

    @classmethod
    def build(cls, actor, kind):
        qs = Area.objects.filter(level="grid").only("pk", "code", "name")
        scope = require(actor, CHANGE, message=_("您无权导入基础数据。"))
        if scope is not None:
            qs = qs.filter(scope.area_q("code", CHANGE))
        grids = list(qs)
        return cls(actor=actor, kind=kind, grids_by_code={g.code: g for g in grids},
                   grids_by_id={g.pk: g for g in grids},
                   tags={t.name: t for t in Tag.objects.all()},
                   special_ok=actor is None or access.can_see_special(actor),
                   now=timezone.now())

    def grid(self, row) -> Area:
        code = row.get("grid_code", "")
        if code:
            grid = self.grids_by_code.get(code)
            if grid is None:
                raise ValidationError({"grid_code": _("网格编码不存在或不在您的管辖范围内。")})
            return grid
        if row.get("lng") and row.get("lat"):
            try:
                wlng, wlat = actions.wgs84_point(row["lng"], row["lat"], row.get("crs") or "wgs84")
            except ValidationError:
                raise ValidationError({"lng": _("坐标无效或坐标系不受支持。")}) from None
            area_id = get_index().lookup(wlng, wlat)
            if area_id is None:
                raise ValidationError({"lng": _("该位置不在本辖区范围内。")})
            grid = self.grids_by_id.get(area_id)
            if grid is None:
                raise ValidationError({"lng": _("该位置所在网格不在您的管辖范围内。")})
            return grid
        raise ValidationError({"grid_code": _("请填写网格编码或经纬度。")})


def _errors_of(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {k: " ".join(v) for k, v in exc.message_dict.items()}
    return {"": " ".join(exc.messages)}


def _normalise(raw: dict, columns: dict) -> dict:
    row = {}
    for key, value in raw.items():
        name = columns.get(key, key if key in columns.values() else None)
        if name:
            row[name] = value
    return row


# --- people ---------------------------------------------------------------------------------


def _validate_person(row: dict, ctx: Context, seen: dict, n: int):
    errors = {}
    data = {k: row.get(k, "") for k in ("name", "id_number", "phone", "registration_type",
                                        "relation_to_head", "address", "birth_date", "sex")}
    values = {}
    try:
        values = actions.person_values(data)
    except ValidationError as exc:
        errors.update(_errors_of(exc))
    if not errors and not values.get("id_hash") and not values.get("birth_date"):
        errors["id_number"] = _("请填写身份证号;无身份证号时须填写出生日期。")
    grid = None
    try:
        grid = ctx.grid(row)
    except ValidationError as exc:
        errors.update(_errors_of(exc))
    tag_names = [t.strip() for t in row.get("tags", "").replace("、", ";").replace(",", ";")
                 .split(";") if t.strip()]
    tags = []
    for name in tag_names:
        tag = ctx.tags.get(name)
        if tag is None:
            errors["tags"] = _("未知的人群标签:%(t)s。") % {"t": name}
        elif tag.restricted and not ctx.special_ok:
            errors["tags"] = _("您无权设置特殊人群标签。")
        else:
            tags.append(tag)
    id_hash = values.get("id_hash")
    if id_hash and id_hash in seen:
        errors["id_number"] = _("与文件第 %(n)d 行的身份证号重复。") % {"n": seen[id_hash]}
    if errors:
        return None, errors
    if id_hash:
        seen[id_hash] = n
    head_hash = ""
    if row.get("head_id_number"):
        head_hash = personal_data.lookup_hash(row["head_id_number"].strip().upper())
    return {"values": values, "grid": grid, "tags": tags, "head_hash": head_hash,
            "raw": data}, {}


def _save_people(valid, ctx, batch):
    """Create the new people in bulk, update the ones already recorded, link heads and tags."""
    hashes = [v["values"]["id_hash"] for v in valid if v["values"].get("id_hash")]
    existing = {}
    for start in range(0, len(hashes), 900):
        for p in Person.objects.filter(id_hash__in=hashes[start:start + 900]).only(
                "pk", "id_hash", "area_code", "grid_id"):
            existing[p.id_hash] = p
    scope = get_scope(ctx.actor) if ctx.actor is not None else None
    created, updated, late_errors = [], 0, []
    name, dept = actions.actor_meta(ctx.actor)
    stamp = {"by": name, "department": dept, "source": Source.IMPORT, "at": ctx.now.isoformat()}
    through = Person.tags.through
    tag_rows = []
    for item in valid:
        values = item["values"]
        old = existing.get(values.get("id_hash"))
        if old is not None:
            if scope is not None and not scope.covers(old.area_code, CHANGE):
                late_errors.append((item, {"id_number": _(
                    "该身份证号已在其他网格登记,请联系该网格核实。")}))
                continue
            changes = {k: v for k, v in item["raw"].items() if v and k not in ("birth_date",
                                                                               "sex")}
            actions.update_person(old, actor=ctx.actor, source=Source.IMPORT, **changes)
            if item["tags"]:
                # Through the action, so the change is stamped and audited on the
                # person's chain like any other tag change.
                actions.add_tags(old, item["tags"], actor=ctx.actor, source=Source.IMPORT)
            updated += 1
            continue
        grid = item["grid"]
        person = Person(grid_id=grid.pk, area_code=grid.code, source=Source.IMPORT,
                        collected_by=ctx.actor, updated_by=ctx.actor, import_batch=batch,
                        # "*": every field of the row came from this import; later changes
                        # stamp their own fields over it.
                        provenance={"*": stamp},
                        **values)
        person.created_at = person.updated_at = ctx.now
        item["person"] = person
        created.append(item)
    Person.objects.bulk_create([i["person"] for i in created], batch_size=1000)
    by_hash = {i["person"].id_hash: i["person"] for i in created if i["person"].id_hash}
    heads = [i for i in created if i["head_hash"]]
    if heads:
        missing = {i["head_hash"] for i in heads} - set(by_hash)
        for p in Person.objects.filter(id_hash__in=list(missing)).only("pk", "id_hash"):
            by_hash[p.id_hash] = p
        linked = []
        for item in heads:
            head = by_hash.get(item["head_hash"])
            if head is not None:
                item["person"].household_head_id = head.pk
                linked.append(item["person"])
        Person.objects.bulk_update(linked, ["household_head"], batch_size=1000)
    for item in created:
        tag_rows += [through(person_id=item["person"].pk, tag_id=t.pk) for t in item["tags"]]
    through.objects.bulk_create(tag_rows, batch_size=1000)
    return len(created), updated, late_errors


# --- houses and organisations -----------------------------------------------------------------


def _validate_house(row, ctx, seen, n):
    errors = {}
    values = {}
    try:
        values = actions.house_values({k: row.get(k, "") for k in (
            "address", "unit", "room", "use", "owner_name", "rental_status", "area_m2")})
    except ValidationError as exc:
        errors.update(_errors_of(exc))
    grid = None
    try:
        grid = ctx.grid(row)
    except ValidationError as exc:
        errors.update(_errors_of(exc))
    key = (values.get("address"), values.get("unit", ""), values.get("room", ""))
    if not errors:
        if key in seen:
            errors["room"] = _("与文件第 %(n)d 行的房屋重复。") % {"n": seen[key]}
        elif House.objects.filter(address=key[0], unit=key[1], room=key[2]).exists():
            errors["room"] = _("该房屋已登记。")
    if errors:
        return None, errors
    seen[key] = n
    wlng, wlat = actions.wgs84_point(row.get("lng"), row.get("lat"), row.get("crs") or "wgs84")
    return {"values": values, "grid": grid, "lng": wlng, "lat": wlat}, {}


def _save_houses(valid, ctx, batch):
    for item in valid:
        actions.create_house(actor=ctx.actor, grid=item["grid"], lng=item["lng"],
                             lat=item["lat"], source=Source.IMPORT, **item["values"])
    return len(valid), 0, []


def _validate_org(row, ctx, seen, n):
    errors = {}
    values = {}
    try:
        values = actions.organisation_values({k: row.get(k, "") for k in (
            "name", "uscc", "org_type", "legal_representative", "address")})
    except ValidationError as exc:
        errors.update(_errors_of(exc))
    grid = None
    try:
        grid = ctx.grid(row)
    except ValidationError as exc:
        errors.update(_errors_of(exc))
    code = values.get("uscc")
    if code and "uscc" not in errors:
        if code in seen:
            errors["uscc"] = _("与文件第 %(n)d 行的统一社会信用代码重复。") % {"n": seen[code]}
        elif Organisation.objects.filter(uscc=code).exists():
            errors["uscc"] = _("该统一社会信用代码已登记。")
    if errors:
        return None, errors
    seen[code] = n
    wlng, wlat = actions.wgs84_point(row.get("lng"), row.get("lat"), row.get("crs") or "wgs84")
    return {"values": values, "grid": grid, "lng": wlng, "lat": wlat}, {}


def _save_orgs(valid, ctx, batch):
    for item in valid:
        actions.create_organisation(actor=ctx.actor, grid=item["grid"], lng=item["lng"],
                                    lat=item["lat"], source=Source.IMPORT, **item["values"])
    return len(valid), 0, []


HANDLERS = {
    "people": (_validate_person, _save_people),
    "houses": (_validate_house, _save_houses),
    "organisations": (_validate_org, _save_orgs),
}


# --- the import -------------------------------------------------------------------------------


def _report(rows, columns) -> str:
    """CSV of rejected rows: row number, every cell as typed, the reason per cell.

    Cells that would run as a formula in Excel (``=HYPERLINK(...)``, ``+cmd|...``) get an
    apostrophe in front (gridgov/core/spreadsheet.py): the report is opened in a spreadsheet.
    """
    from gridgov.core.spreadsheet import safe_row

    field_to_header = {}
    for header, name in columns.items():
        field_to_header.setdefault(name, header)
    headers = []
    for _n, raw, _e in rows:
        for key in raw:
            if key not in headers:
                headers.append(key)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row([_("行号"), *headers, _("错误说明")]))
    for n, raw, errors in rows:
        reasons = []
        for fname, message in errors.items():
            label = field_to_header.get(fname, fname) or _("整行")
            reasons.append(f"{label}: {message}")
        writer.writerow(safe_row([n, *[raw.get(h, "") for h in headers], " | ".join(reasons)]))
    return out.getvalue()


def run_import(kind: str, data: bytes, filename: str, *, actor) -> ImportBatch:
    """Import one file of ``kind`` (people, houses, organisations) for ``actor``.

    Rows are numbered as in a spreadsheet (the header is row 1). The valid rows are written
    in one transaction with one audit record; if writing fails, none is kept.
    """
    if kind not in HANDLERS:
        raise ValidationError({"kind": _("未知的导入类型。")})
    columns = KINDS[kind]
    try:
        raw_rows = read_table(data, filename)
    except ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    ctx = Context.build(actor, kind)
    validate, save = HANDLERS[kind]
    valid, rejected, seen = [], [], {}
    for n, raw in enumerate(raw_rows, start=2):
        row = _normalise(raw, columns)
        payload, errors = validate(row, ctx, seen, n)
        if errors:
            rejected.append((n, raw, errors))
        else:
            payload["n"], payload["raw_row"] = n, raw
            valid.append(payload)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        batch = ImportBatch.objects.create(kind=kind, filename=filename[:200], sha256=digest,
                                           created_by=actor, total_rows=len(raw_rows))
        created, updated, late = save(valid, ctx, batch)
        rejected += [(item["n"], item["raw_row"], errors) for item, errors in late]
        rejected.sort(key=lambda r: r[0])
        batch.created_rows, batch.updated_rows = created, updated
        batch.rejected_rows = len(rejected)
        batch.report = personal_data.encrypt(_report(rejected, columns), "import_report") \
            if rejected else ""
        batch.save()
        record(f"basedata.import.{kind}", actor=actor, obj=batch, changes={
            "file": filename, "sha256": digest, "total": batch.total_rows,
            "created": created, "updated": updated, "rejected": batch.rejected_rows})
    return batch


def report_csv(batch: ImportBatch) -> str:
    return personal_data.decrypt(batch.report, "import_report") if batch.report else ""


def template_csv(kind: str) -> str:
    """An empty file with the expected headers."""
    out = io.StringIO()
    csv.writer(out).writerow(list(KINDS[kind]))
    return out.getvalue()
