"""CSV and Excel import of people, houses and organisations.

Every row is validated; the valid rows are saved together in one transaction, the rejected
ones go to a report (CSV: each rejected row as typed, with the reason per cell) that the
uploader downloads. Nothing is dropped silently: ``total = created + updated + rejected``.
The report is stored encrypted, since a rejected row may hold personal data.

Limits (issue 9, item 7), so one upload cannot hold a worker or fill a table row:

- ``GRIDGOV_MAX_UPLOAD_BYTES`` (20 MB): a larger file is refused before it is parsed;
- ``GRIDGOV_MAX_IMPORT_ROWS`` (20,000): data rows per file; reading stops at the first row
  over the limit and the file is refused as a whole (nothing is saved);
- ``GRIDGOV_MAX_IMPORT_UNCOMPRESSED_BYTES`` (100 MB): the sum of the sizes an XLSX's zip
  members declare, checked before the workbook is opened (a zip bomb is refused unread;
  Python's zipfile never inflates a member beyond its declared size);
- the rejected-row report keeps the first ``GRIDGOV_IMPORT_REPORT_MAX_ROWS`` (1,000) rejected
  rows, each cell cut at ``REPORT_CELL_MAX`` characters, and a last line with the count of the
  rest; ``rejected_rows`` still counts them all.

XLSX is read with openpyxl in read-only mode, row by row, at most ``MAX_COLUMNS`` wide.

An import runs as a background job (``basedata/jobs.py``): ``run_import(..., progress=...)``
reports every ``PROGRESS_ROWS`` rows while checking them, and while writing (inside the one
transaction) only checks for a cancel request, which rolls the whole import back.
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.index import get_index
from gridgov.areas.models import Area
from gridgov.audit.recorder import record
from gridgov.core import personal_data, uploads
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
    """The file as a whole cannot be read (format, encoding, no header, over a limit)."""


DEFAULT_MAX_IMPORT_ROWS = 20_000
REPORT_CELL_MAX = 500
MAX_COLUMNS = 200
# A progress report (and a check for a cancel request) every this many rows.
PROGRESS_ROWS = 200
# Blank rows are skipped, not counted, but reading them costs time too: a sheet whose rows
# (blank or not) exceed max_rows * 2 + BLANK_ROW_SLACK is refused.
BLANK_ROW_SLACK = 1000


def max_import_rows() -> int:
    return int(getattr(settings, "GRIDGOV_MAX_IMPORT_ROWS", DEFAULT_MAX_IMPORT_ROWS))


def check_size(size: int) -> None:
    """Refuse a file of ``size`` bytes over GRIDGOV_MAX_UPLOAD_BYTES (before reading it)."""
    uploads.check_size(size, ImportFileError)


def _too_many_rows(limit: int) -> ImportFileError:
    return ImportFileError(_("文件超过行数上限:一次最多导入 %(n)d 行数据(不含表头),"
                             "请拆分后分批导入。") % {"n": limit})


def _too_many_blank_rows(limit: int) -> ImportFileError:
    return ImportFileError(_("文件中空行过多:连同空行超过 %(m)d 行。请删除空行后重试"
                             "(一次最多导入 %(n)d 行数据)。")
                           % {"m": limit * 2 + BLANK_ROW_SLACK, "n": limit})


def check_zip(data: bytes) -> None:
    """Refuse an XLSX that would unpack beyond the limit (a zip bomb), before opening it."""
    uploads.check_zip(data, ImportFileError)


def _xlsx_rows(data: bytes):
    """The header and a lazy iterator of the data rows of the first sheet (read-only mode)."""
    import openpyxl

    check_zip(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        first = next(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook
        raise ImportFileError(_("无法读取 Excel 文件。")) from exc
    header = [str(c).strip() if c is not None else "" for c in first]
    while header and not header[-1]:
        header.pop()
    if not header:
        book.close()
        raise ImportFileError(_("文件为空。"))

    def rows():
        try:
            yield from sheet.iter_rows(min_row=2, max_col=len(header), values_only=True)
        except Exception as exc:  # noqa: BLE001 - a damaged sheet further down
            raise ImportFileError(_("无法读取 Excel 文件。")) from exc
        finally:
            book.close()

    return header, rows(), _cell


def _csv_rows(data: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("CSV 文件编码无法识别(请使用 UTF-8)。"))
    reader = csv.reader(io.StringIO(text))
    first = next(reader, None)
    if not first:
        raise ImportFileError(_("文件为空。"))
    return first, reader, lambda v: (v or "").strip()


def read_table(data: bytes, filename: str) -> list[dict]:
    """The rows of a CSV (UTF-8, UTF-8 with BOM or GB18030) or XLSX file as dicts of strings.

    Blank rows are skipped. Refused (ImportFileError) over the byte, row or uncompressed-size
    limit (see the module's docstring); reading stops at the first row over the limit."""
    name = filename.lower()
    check_size(len(data))
    if name.endswith((".xlsx", ".xlsm")):
        header, rows, cell = _xlsx_rows(data)
    elif name.endswith((".csv", ".txt")):
        header, rows, cell = _csv_rows(data)
    else:
        raise ImportFileError(_("只支持 CSV 或 XLSX 文件。"))
    limit = max_import_rows()
    physical_limit = limit * 2 + BLANK_ROW_SLACK
    out = []
    try:
        for physical, values in enumerate(rows, start=1):
            if physical > physical_limit:
                raise _too_many_blank_rows(limit)
            # As csv.DictReader did: a named column keeps its stripped name (a later column of
            # the same name wins), cells beyond the header are dropped, missing ones are "".
            row = {}
            for i, key in enumerate(header):
                if key:
                    row[key.strip()] = cell(values[i]) if values and i < len(values) else ""
            if not any(row.values()):
                continue
            if len(out) >= limit:
                raise _too_many_rows(limit)
            out.append(row)
    except csv.Error as exc:
        raise ImportFileError(_("CSV 文件格式错误:%(e)s") % {"e": exc}) from None
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    return out


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
    # Called with each row's index while writing: stops the import when it was cancelled.
    tick: object = lambda i: None

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
    for i, item in enumerate(valid):
        ctx.tick(i)
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
    for i, item in enumerate(valid):
        ctx.tick(i)
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
    for i, item in enumerate(valid):
        ctx.tick(i)
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


def _capped_report(rejected, columns) -> str:
    """The report of the first ``uploads.report_max_rows()`` rejected rows, each cell cut at
    ``REPORT_CELL_MAX`` characters, with a last line counting the rows left out."""
    cap = uploads.report_max_rows()

    def cut(value):
        value = "" if value is None else str(value)
        return value if len(value) <= REPORT_CELL_MAX else value[:REPORT_CELL_MAX] + "…"

    shown = [(n, {k: cut(v) for k, v in raw.items()},
              {f: cut(m) for f, m in errors.items()}) for n, raw, errors in rejected[:cap]]
    text = _report(shown, columns)
    rest = len(rejected) - len(shown)
    if rest > 0:
        out = io.StringIO()
        csv.writer(out).writerow(["", _("另有 %(rest)d 行被拒绝,未列出(报告只列出前 %(cap)d 行;"
                                      "共 %(total)d 行被拒绝)。")
                                  % {"rest": rest, "cap": cap, "total": len(rejected)}])
        text += out.getvalue()
    return text


def _cancel_check(progress):
    """What the writing step calls per row: every ``PROGRESS_ROWS`` rows, the job's check for
    a cancel request (``Progress.check``: no write inside the import's transaction)."""
    check = getattr(progress, "check", None)
    if check is None:
        return lambda i: None
    return lambda i: check() if i % PROGRESS_ROWS == 0 else None


def _report_progress(progress, done: int, total: int, *, force: bool = False) -> None:
    if progress is not None and (force or done % PROGRESS_ROWS == 0):
        progress(done, total, _("已校验 %(n)d / %(t)d 行") % {"n": done, "t": total},
                 force=force)


def run_import(kind: str, data: bytes, filename: str, *, actor, progress=None) -> ImportBatch:
    """Import one file of ``kind`` (people, houses, organisations) for ``actor``.

    Rows are numbered as in a spreadsheet (the header is row 1). The valid rows are written
    in one transaction with one audit record; if writing fails, or the job is cancelled while
    writing, none is kept. ``progress`` is a background job's reporter (``runner.Progress``).
    """
    if kind not in HANDLERS:
        raise ValidationError({"kind": _("未知的导入类型。")})
    columns = KINDS[kind]
    try:
        raw_rows = read_table(data, filename)
    except ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    ctx = Context.build(actor, kind)
    ctx.tick = _cancel_check(progress)
    validate, save = HANDLERS[kind]
    valid, rejected, seen = [], [], {}
    total = len(raw_rows)
    _report_progress(progress, 0, total, force=True)
    for n, raw in enumerate(raw_rows, start=2):
        _report_progress(progress, n - 2, total)
        row = _normalise(raw, columns)
        payload, errors = validate(row, ctx, seen, n)
        if errors:
            rejected.append((n, raw, errors))
        else:
            payload["n"], payload["raw_row"] = n, raw
            valid.append(payload)
    digest = hashlib.sha256(data).hexdigest()
    if progress is not None:
        progress(total, total, _("正在写入 %(n)d 行有效数据(全部写入或全部不写入)")
                 % {"n": len(valid)}, force=True)
    with transaction.atomic():
        batch = ImportBatch.objects.create(kind=kind, filename=filename[:200], sha256=digest,
                                           created_by=actor, total_rows=len(raw_rows))
        created, updated, late = save(valid, ctx, batch)
        rejected += [(item["n"], item["raw_row"], errors) for item, errors in late]
        rejected.sort(key=lambda r: r[0])
        batch.created_rows, batch.updated_rows = created, updated
        batch.rejected_rows = len(rejected)
        batch.report = personal_data.encrypt(_capped_report(rejected, columns),
                                             "import_report") if rejected else ""
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
