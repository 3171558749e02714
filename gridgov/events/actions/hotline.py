"""Hotline records (81890 / 12345) in bulk: CSV and Excel uploads and the JSON API.

The bulk writer of the intake channels: each row goes through the same channel verb as a
single record (``intake.record_hotline``: permission, screening, idempotency), so a bulk
import can do nothing a single record could not.

Every row is validated on its own and every bad cell is reported (row, column, field,
value, reason); the valid rows are created together in one transaction, through
``intake.record_hotline``, so an upload either saves all its good rows or nothing. A record is
identified by its line and work-order number: a row already imported is reported as
existing, not created twice, however often the file is uploaded. Nothing is dropped
silently: each row ends up created, existing or in the error report.

Row numbers are as the person sees them: in a file, the spreadsheet row (the header is row
1); in the JSON API, the record's position counting from 1.

Limits (issue 9, item 7): a file over ``GRIDGOV_MAX_UPLOAD_BYTES`` (20 MB) is refused before
it is parsed; an .xlsx whose zip members declare more than
``GRIDGOV_MAX_IMPORT_UNCOMPRESSED_BYTES`` (100 MB) in total is refused before it is opened (a
zip bomb); the sheet is read in openpyxl's read-only mode, row by row, at most
``MAX_COLUMNS`` wide; reading stops at the first row over ``GRIDGOV_HOTLINE_MAX_ROWS`` (5,000),
and the file is refused. The error report lists the cells of the first
``GRIDGOV_IMPORT_REPORT_MAX_ROWS`` (1,000) rejected rows, values cut at ``REPORT_CELL_MAX``
characters, with a last line counting the rest; its cells are formula-safe.
"""

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.areas.index import lookup_point
from gridgov.audit.recorder import record as audit_record
from gridgov.core import uploads
from gridgov.core.spreadsheet import safe_row

from ..choices import Nature, Urgency
from . import intake

DEFAULT_MAX_ROWS = 5000
REPORT_CELL_MAX = 500
MAX_COLUMNS = 200
# Blank rows are skipped, not counted, but reading them costs time too: a table whose rows
# (blank or not) exceed max_rows * 2 + BLANK_ROW_SLACK is refused.
BLANK_ROW_SLACK = 1000

# field -> its column header (the template's); ALIASES lists other accepted headers
COLUMNS = {
    "external_id": "工单编号",
    "line": "热线",
    "description": "诉求内容",
    "lng": "经度",
    "lat": "纬度",
    "crs": "坐标系",
    "address": "地址",
    "category": "事件小类编码",
    "nature": "诉求性质",
    "urgency": "紧急程度",
    "reporter_name": "诉求人",
    "reporter_phone": "联系电话",
}
ALIASES = {
    "工单号": "external_id", "编号": "external_id", "热线号码": "line", "来源": "line",
    "内容": "description", "问题描述": "description", "事件类型": "category",
    "小类编码": "category", "性质": "nature", "姓名": "reporter_name", "电话": "reporter_phone",
}
REQUIRED = ("external_id", "line", "description", "lng", "lat")
TEMPLATE_EXAMPLE = {
    "external_id": "12345-20260301-0001", "line": "12345",
    "description": "鼓楼步行街东侧人行道地砖松动,行人易绊倒", "lng": "121.5500",
    "lat": "29.8750", "crs": "wgs84", "address": "鼓楼步行街东侧", "category": "",
    "nature": "求决", "urgency": "一般", "reporter_name": "王先生",
    "reporter_phone": "13800005678",
}


@dataclass
class RowError:
    """One bad cell: where it is and what is wrong with it."""

    row: int
    field: str
    reason: str
    value: str = ""

    @property
    def column(self) -> str:
        if self.field == "location":
            return f"{COLUMNS['lng']}/{COLUMNS['lat']}"
        return COLUMNS.get(self.field, self.field)

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "field": self.field,
                "value": self.value, "message": self.reason}


@dataclass
class ImportResult:
    """What an import did with each row."""

    total: int = 0
    created: list = field(default_factory=list)      # (row, event)
    existing: list = field(default_factory=list)     # (row, event)
    held: list = field(default_factory=list)         # (row, event) created but held
    errors: list = field(default_factory=list)       # RowError

    @property
    def error_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "created": [{"row": r, "id": e.pk, "number": e.number} for r, e in self.created],
            "existing": [{"row": r, "id": e.pk, "number": e.number} for r, e in self.existing],
            "held": [{"row": r, "id": e.pk, "number": e.number} for r, e in self.held],
            "errors": [e.as_dict() for e in self.errors],
        }


class FileError(ValidationError):
    """The file as a whole cannot be read (wrong format, no header, too many rows)."""

    def __init__(self, message):
        super().__init__({"file": message})


# --- reading files --------------------------------------------------------------------------


def _cell(value) -> str:
    """A cell as text: numbers without a spurious ".0", dates as ISO, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e5:
        return str(int(value))  # work-order numbers and phones typed as numbers
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _header_map(headers) -> dict[int, str]:
    by_label = {label: name for name, label in COLUMNS.items()}
    out = {}
    for i, header in enumerate(headers):
        text = _cell(header).strip().lstrip("\ufeff")
        name = by_label.get(text) or ALIASES.get(text) or (text if text in COLUMNS else None)
        if name and name not in out.values():
            out[i] = name
    missing = [COLUMNS[f] for f in REQUIRED if f not in out.values()]
    if missing:
        raise FileError(_("表头缺少必需的列:%(cols)s。") % {"cols": "、".join(missing)})
    return out


def max_rows() -> int:
    return int(getattr(settings, "GRIDGOV_HOTLINE_MAX_ROWS", DEFAULT_MAX_ROWS))


def check_size(size: int) -> None:
    """Refuse a file of ``size`` bytes over GRIDGOV_MAX_UPLOAD_BYTES (before reading it)."""
    uploads.check_size(size, FileError)


def _check_zip(data: bytes) -> None:
    """Refuse an .xlsx that would unpack beyond the limit (a zip bomb), before opening it."""
    uploads.check_zip(data, FileError, unreadable=_("Excel 文件已损坏或不是 .xlsx 格式。"))


def _rows(table) -> list[tuple[int, dict]]:
    """(sheet row number, {field: text}) for each non-empty data row of a table.

    Reading stops at the first row over the limit (the file is refused)."""
    table = iter(table)
    try:
        headers = next(table)
    except StopIteration:
        raise FileError(_("文件是空的。")) from None
    mapping = _header_map(headers)
    limit = max_rows()
    physical_limit = limit * 2 + BLANK_ROW_SLACK
    out = []
    try:
        for number, values in enumerate(table, start=2):
            if number - 1 > physical_limit:
                raise FileError(_("文件中空行过多:连同空行超过 %(m)d 行。请删除空行后重试"
                                  "(一次最多导入 %(n)d 行)。")
                                % {"m": physical_limit, "n": limit})
            record = {name: _cell(values[i]) if i < len(values) else ""
                      for i, name in mapping.items()}
            if not any(record.values()):
                continue
            if len(out) >= limit:
                raise FileError(_("文件超过行数上限:一次最多导入 %(n)d 行(不含表头),"
                                  "请拆分后分批导入。") % {"n": limit})
            out.append((number, record))
    except csv.Error as exc:
        raise FileError(_("CSV 文件格式错误:%(e)s") % {"e": exc}) from None
    return out


def _xlsx_table(book):
    """The first sheet's rows, read-only and at most as wide as its header (MAX_COLUMNS)."""
    sheet = book.worksheets[0]
    header = list(next(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), ()))
    while header and header[-1] in (None, ""):
        header.pop()
    if not header:
        return
    yield tuple(header)
    yield from sheet.iter_rows(min_row=2, max_col=len(header), values_only=True)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileError(_("无法识别文件编码,请保存为 UTF-8 或 GBK 编码的 CSV。"))


def read_file(name: str, data: bytes) -> list[tuple[int, dict]]:
    """The rows of a CSV or Excel (.xlsx) file; the format is told by content, not name."""
    if not data:
        raise FileError(_("文件是空的。"))
    check_size(len(data))
    if data.startswith(b"PK\x03\x04"):
        import openpyxl

        _check_zip(data)
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged archive
            raise FileError(_("Excel 文件已损坏或不是 .xlsx 格式。")) from None
        try:
            return _rows(_xlsx_table(book))
        except FileError:
            raise
        except Exception:  # a damaged sheet further down
            raise FileError(_("Excel 文件已损坏或不是 .xlsx 格式。")) from None
        finally:
            book.close()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError(_("不支持旧版 .xls 文件,请另存为 .xlsx 或 CSV 后上传。"))
    text = _decode(data)
    return _rows(csv.reader(io.StringIO(text)))


# --- validating and importing ---------------------------------------------------------------


def _check(record: dict) -> tuple[dict, list[tuple[str, str, str]]]:
    """Cleaned values of one record and every problem found in it: (field, reason, value)."""
    errors: list[tuple[str, str, str]] = []
    clean: dict = {}

    def attempt(name, func, *args, **kwargs):
        try:
            clean[name] = func(*args, **kwargs)
        except ValidationError as exc:
            for fname, messages in exc.message_dict.items():
                errors.append((fname, messages[0], str(record.get(fname, record.get(name, "")))))

    for name in REQUIRED:
        if not str(record.get(name, "") or "").strip():
            errors.append((name, _("此项为必填项。"), ""))
    present = {e[0] for e in errors}
    if "external_id" not in present:
        attempt("external_id", intake.clean_text, record.get("external_id"), "external_id",
                max_length=64)
    if "line" not in present:
        attempt("line", intake.clean_line, record.get("line"))
    if "description" not in present:
        attempt("description", intake.clean_text, record.get("description"), "description",
                max_length=intake.DESCRIPTION_MAX)
    attempt("address", intake.clean_text, record.get("address"), "address", required=False)
    attempt("reporter_name", intake.clean_text, record.get("reporter_name"), "reporter_name",
            required=False, max_length=50)
    attempt("reporter_phone", intake.clean_phone, record.get("reporter_phone"), landline=True)
    attempt("category", intake.clean_category, record.get("category"))
    attempt("nature", intake.clean_choice, record.get("nature"), Nature, "nature",
            Nature.REQUEST)
    attempt("urgency", intake.clean_choice, record.get("urgency"), Urgency, "urgency",
            Urgency.NORMAL)
    if not {"lng", "lat"} & present:
        for name in ("lng", "lat"):
            try:
                float(record.get(name))
            except (TypeError, ValueError):
                errors.append((name, _("须为数字(十进制度)。"), str(record.get(name, ""))))
        if not {e[0] for e in errors} & {"lng", "lat"}:
            try:
                lng, lat, crs = intake.clean_point(record.get("lng"), record.get("lat"),
                                                   record.get("crs") or "wgs84")
                lookup_point(lng, lat, crs)
                clean.update(lng=lng, lat=lat, crs=crs)
            except ValidationError as exc:
                for fname, messages in exc.message_dict.items():
                    value = (f"{record.get('lng')}, {record.get('lat')}"
                             if fname == "location" else str(record.get(fname, "")))
                    errors.append((fname, messages[0], value))
    return clean, errors


def import_records(records, *, actor, first_row: int = 1) -> ImportResult:
    """Validate and import hotline records given as (row, {field: value}) pairs or dicts.

    The valid rows are created in one transaction (all or none of them); a row that fails
    only at creation (a race with another import) is moved to the errors and the batch is
    tried again without it.
    """
    intake.require_intake_staff(actor)
    pairs = [r if isinstance(r, tuple) else (first_row + i, r) for i, r in enumerate(records)]
    result = ImportResult(total=len(pairs))
    valid: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for row, record in pairs:
        if not isinstance(record, dict):
            result.errors.append(RowError(row, "record", _("每条记录须为 JSON 对象。")))
            continue
        clean, errors = _check(record)
        if not errors:
            key = intake.hotline_key(clean["line"], clean["external_id"])
            if key in seen:
                errors.append(("external_id", _("与第 %(row)d 行的工单编号重复。")
                               % {"row": seen[key]}, clean["external_id"]))
            else:
                seen[key] = row
        result.errors.extend(RowError(row, f, reason, value) for f, reason, value in errors)
        if not errors:
            valid.append((row, clean))
    while valid:
        try:
            created, existing, held = _create(valid, actor)
        except _RowFailed as failed:
            result.errors.append(failed.error)
            valid = [(r, c) for r, c in valid if r != failed.error.row]
            continue
        result.created, result.existing, result.held = created, existing, held
        break
    result.errors.sort(key=lambda e: (e.row, list(COLUMNS).index(e.field)
                                      if e.field in COLUMNS else 99))
    return result


class _RowFailed(Exception):
    def __init__(self, error: RowError):
        super().__init__(error.reason)
        self.error = error


def _create(valid, actor):
    created, existing, held = [], [], []
    with transaction.atomic():
        for row, clean in valid:
            try:
                result = intake.record_hotline(actor=actor, **clean)
            except ValidationError as exc:
                fname, messages = next(iter(exc.message_dict.items()))
                raise _RowFailed(RowError(row, fname, messages[0])) from None
            except intake.IdempotencyMismatch:
                raise _RowFailed(RowError(row, "external_id", _(
                    "该工单编号已导入过,但内容与本行不同。"), clean["external_id"])) from None
            (created if result.created else existing).append((row, result.event))
            if result.created and result.held:
                held.append((row, result.event))
    return created, existing, held


def import_file(name: str, data: bytes, *, actor) -> ImportResult:
    """Read a CSV or .xlsx upload and import its rows (see ``import_records``).

    The upload itself is audited too (file name, SHA-256, what became of its rows), so a
    file's fate can be traced even for the rows that were refused.
    """
    intake.require_intake_staff(actor)
    check_size(len(data))
    result = import_records(read_file(name, data), actor=actor)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        audit_record("events.hotline_import", actor=actor, object_type="events.hotline_upload",
               object_id=digest[:32], object_repr=str(name)[:200], changes={
                   "file": [None, str(name)[:200]], "sha256": [None, digest],
                   "rows": [None, result.total], "created": [None, len(result.created)],
                   "existing": [None, len(result.existing)], "held": [None, len(result.held)],
                   "error_rows": [None, result.error_rows]})
    return result


# --- reports and templates ------------------------------------------------------------------


def error_report_csv(result: ImportResult) -> bytes:
    """The rejected cells as CSV (UTF-8 with BOM, so Excel opens it in Chinese).

    Only the cells of the first ``uploads.report_max_rows()`` rejected rows, values cut at
    ``REPORT_CELL_MAX`` characters, then a line counting the rows left out; every cell is
    formula-safe (a value typed as ``=HYPERLINK(...)`` is shown, not run)."""
    cap = uploads.report_max_rows()
    rows = result.error_rows
    shown = set(rows[:cap])

    def cut(value):
        value = "" if value is None else str(value)
        return value if len(value) <= REPORT_CELL_MAX else value[:REPORT_CELL_MAX] + "…"

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("行号"), _("列"), _("字段"), _("值"), _("原因")])
    for error in result.errors:
        if error.row in shown:
            writer.writerow(safe_row([error.row, error.column, error.field, cut(error.value),
                                      cut(error.reason)]))
    if len(rows) > len(shown):
        writer.writerow(["", "", "", "", _(
            "另有 %(rest)d 行有错误,未列出(报告只列出前 %(cap)d 行;共 %(total)d 行有错误)。")
            % {"rest": len(rows) - len(shown), "cap": cap, "total": len(rows)}])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_csv() -> bytes:
    """An empty upload template with the header row and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(COLUMNS.values()))
    writer.writerow([TEMPLATE_EXAMPLE[name] for name in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
