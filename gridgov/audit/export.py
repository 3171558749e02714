"""Streaming exports of audit records (CSV for people with Excel, JSON Lines for machines).

Rows are read with ``.iterator(chunk_size)`` and written one at a time, so an export of any
size uses flat memory; the caller has already applied ``restrict()`` and the FilterSet.
"""

import csv
import json

from django.utils.translation import gettext as _

from gridgov.core.spreadsheet import safe_cell

from . import labels
from .anchor import local_tz

CHUNK = 2000
FIELDS = ("id", "at", "actor_name", "role", "action", "object_type", "object_id",
          "object_repr", "changes", "remark", "request_id", "client_ip", "chain_key", "seq",
          "hash")
# Cells Excel would run as a formula; user-typed text (a failed login's user name) can start
# with one of these, so CSV cells get a leading apostrophe (OWASP CSV injection).


def headers():
    return [_("编号"), _("时间"), _("操作人"), _("角色"), _("操作"), _("对象类型"),
            _("对象编号"), _("对象"), _("变更"), _("备注"), _("请求编号"), _("客户端地址"),
            _("链"), _("链序号"), _("哈希"), *name_headers()]


# The sealed codes stay in their columns (what filters and the chain use); their names follow
# at the end, so existing readers of the columns above are not shifted.
def name_headers():
    return [_("角色名称"), _("操作名称"), _("对象类型名称")]


def _names(row: dict) -> list[str]:
    return [labels.role_label(row["role"]), labels.action_label(row["action"]),
            labels.object_type_label(row["object_type"])]


def _rows(queryset):
    return queryset.order_by("id").values(*FIELDS).iterator(chunk_size=CHUNK)


def _plain(row: dict, tz) -> dict:
    out = dict(row)
    out["at"] = row["at"].astimezone(tz).isoformat(timespec="seconds")
    return out


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer in a generator."""

    def write(self, value):
        return value


def _cell(value) -> str:
    return safe_cell("" if value is None else str(value))


def csv_lines(queryset, *, bom: bool = False):
    """Yield the CSV text line by line (a UTF-8 BOM first when ``bom``, for Excel)."""
    tz = local_tz()
    writer = csv.writer(_Echo())
    if bom:
        yield "\ufeff"
    yield writer.writerow(headers())
    for row in _rows(queryset):
        row = _plain(row, tz)
        row["changes"] = json.dumps(row["changes"], ensure_ascii=False, sort_keys=True)
        yield writer.writerow([_cell(row[name]) for name in FIELDS]
                              + [_cell(name) for name in _names(row)])


def jsonl_lines(queryset):
    """Yield one JSON object per record and line."""
    tz = local_tz()
    for row in _rows(queryset):
        yield json.dumps(_plain(row, tz), ensure_ascii=False, default=str) + "\n"
