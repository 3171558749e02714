"""Export of what a user may see, masked: CSV or XLSX of a FilterSet's queryset.

ID numbers and phones appear only as their masks; special-group tags only for the roles that
may see them. Each export is an audit record (who, what, how many rows, which filters; an ID
number or phone among the filters masked, with its lookup hash). Every cell goes through
``safe_row``: a name or address typed as ``=HYPERLINK(...)`` comes out as text, not as a
formula (gridgov/core/spreadsheet.py).
"""

import csv
import io

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core import personal_data
from gridgov.core.spreadsheet import safe_row

from . import access


def _person_columns(special, reveal=False):
    return [
        (_("姓名"), lambda p: p.name),
        (_("身份证号"), lambda p: p.id_masked),
        (_("出生日期"), lambda p: access.birth_date_shown(p, None, reveal) or ""),
        (_("性别"), lambda p: p.get_sex_display() if p.sex else ""),
        (_("户籍类型"), lambda p: p.get_registration_type_display()),
        (_("手机号"), lambda p: p.phone_masked),
        (_("居住地址"), lambda p: p.address),
        (_("网格编码"), lambda p: p.area_code),
        (_("与户主关系"), lambda p: p.get_relation_to_head_display() if p.relation_to_head
         else ""),
        (_("人员状态"), lambda p: p.get_status_display()),
        (_("人群标签"), lambda p: "、".join(
            t.name for t in p.tags.all() if special or not t.restricted)),
        (_("来源"), lambda p: p.get_source_display()),
        (_("更新时间"), lambda p: timezone.localtime(p.updated_at).strftime("%Y-%m-%d %H:%M")),
    ]


BUILDING_COLUMNS = [
    (_("楼栋"), lambda b: b.name), (_("标准地址"), lambda b: b.address),
    (_("层数"), lambda b: b.floors if b.floors is not None else ""),
    (_("房屋数"), lambda b: getattr(b, "house_count", "")),
    (_("经度"), lambda b: b.lng if b.lng is not None else ""),
    (_("纬度"), lambda b: b.lat if b.lat is not None else ""),
    (_("网格编码"), lambda b: b.area_code),
]
HOUSE_COLUMNS = [
    (_("标准地址"), lambda h: h.address), (_("单元"), lambda h: h.unit),
    (_("房号"), lambda h: h.room), (_("用途"), lambda h: h.get_use_display()),
    (_("产权人"), lambda h: h.owner_name),
    (_("出租状态"), lambda h: h.get_rental_status_display()),
    (_("网格编码"), lambda h: h.area_code),
]
ORG_COLUMNS = [
    (_("名称"), lambda o: o.name), (_("统一社会信用代码"), lambda o: o.uscc),
    (_("类型"), lambda o: o.get_org_type_display()),
    (_("法定代表人"), lambda o: o.legal_representative), (_("地址"), lambda o: o.address),
    (_("网格编码"), lambda o: o.area_code),
]
COMPONENT_COLUMNS = [
    (_("部件编码"), lambda c: c.code), (_("分类"), lambda c: c.class_name),
    (_("状态"), lambda c: c.get_state_display()), (_("经度"), lambda c: c.lng),
    (_("纬度"), lambda c: c.lat), (_("位置描述"), lambda c: c.address),
    (_("网格编码"), lambda c: c.area_code),
]


def columns_for(kind: str, user):
    if kind == "people":
        return _person_columns(access.can_see_special(user), access.can_reveal(user))
    return {"buildings": BUILDING_COLUMNS, "houses": HOUSE_COLUMNS, "organisations": ORG_COLUMNS,
            "components": COMPONENT_COLUMNS}[kind]


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# A progress report of an export job every this many rows.
PROGRESS_ROWS = 2000


def _objects(kind, queryset, progress, total):
    """The rows to write, reporting progress every ``PROGRESS_ROWS`` to a job."""
    rows = queryset.iterator(chunk_size=2000) if kind != "people" else queryset
    for i, obj in enumerate(rows):
        if progress is not None and i % PROGRESS_ROWS == 0:
            progress(i, total, _("已导出 %(n)d 行") % {"n": i})
        yield obj


def render(kind: str, queryset, *, user, fmt: str = "csv", progress=None,
           total: int | None = None) -> tuple[bytes, int]:
    """The file's bytes and its row count: the rows of ``queryset`` (already restricted and
    filtered), masked, as CSV (UTF-8 with BOM) or XLSX."""
    columns = columns_for(kind, user)
    if kind == "people":
        queryset = queryset.prefetch_related("tags")
    count = 0
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet(kind)
        sheet.append([str(label) for label, _f in columns])
        for obj in _objects(kind, queryset, progress, total):
            sheet.append(safe_row(fn(obj) for _l, fn in columns))
            count += 1
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue(), count
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer = csv.writer(out)
    writer.writerow([str(label) for label, _f in columns])
    for obj in _objects(kind, queryset, progress, total):
        writer.writerow(safe_row(fn(obj) for _l, fn in columns))
        count += 1
    return out.getvalue().encode("utf-8"), count


def filename(kind: str, fmt: str) -> str:
    return f"{kind}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{fmt}"


def record_export(kind: str, *, user, fmt: str, rows: int, filters: dict | None) -> None:
    """The audit record of one export: who, what, how many rows, which filters (masked)."""
    with transaction.atomic():
        record(f"basedata.export.{kind}", actor=user, object_type=f"basedata.{kind}",
               object_id="export", changes={"rows": rows, "format": fmt,
                                            **audited_filters(filters)})


def export(kind: str, queryset, *, user, fmt: str = "csv", filters: dict | None = None):
    """An ``HttpResponse`` with the rows of ``queryset`` (already restricted and filtered)."""
    data, count = render(kind, queryset, user=user, fmt=fmt)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename(kind, fmt)}"'
    record_export(kind, user=user, fmt=fmt, rows=count, filters=filters)
    return response


def audited_filters(filters: dict | None) -> dict:
    """The filters of an export as its audit record keeps them: an ID number or phone typed
    as a filter (``?q=…``) is personal data, so the record holds its mask
    (``personal_data.scrub``) and, for a whole number, its keyed lookup hash under
    ``filter_hashes``: enough to find every export that looked for one person, without the
    number itself."""
    filters = dict(filters or {})
    out = {"filters": personal_data.scrub(filters)}
    hashes = personal_data.exact_lookup_hashes(filters)
    if hashes:
        out["filter_hashes"] = hashes
    return out
