"""List paging: ``?limit=&offset=`` as always, and ``?cursor=`` keyset paging.

- Offset paging (the default) answers ``{"count", "next", "previous", "results"}`` exactly as
  DRF's ``LimitOffsetPagination`` did.
- Cursor paging walks the list in its ordering with ``id`` as the tiebreaker (``(updated_at,
  id)`` under ``?updated_since=``, see ``gridgov.core.filters``) and continues after the
  last row seen, so rows inserted or changed while a client pages do not shift it onto
  duplicates or past rows it never saw. It is used when ``cursor`` is given (empty: the first
  page) and, unless ``offset`` is given, whenever ``updated_since`` is. ``next`` carries the
  cursor of the following page (``null`` at the end); paging is forward only
  (``previous`` is always ``null``). A cursor is opaque: it names the ordering it belongs
  to, and a cursor from another ordering or a damaged one answers 400 (field ``cursor``).
- ``count`` in cursor mode is counted once, on the first page (``cursor`` empty), and carried
  in the cursor: every following page answers the number of rows the list had when the walk
  began, without counting again (a ``COUNT(*)`` of half a million rows on every page would
  cost more than the page itself). It stays an integer, as the schema says; a walk that must
  know the rows added meanwhile starts again (or uses ``updated_since``).

Ordering keys must be non-null columns of the model itself; a list ordered otherwise is walked
by ``id`` in cursor mode.

Bounds: ``limit`` is a whole number from 1; above ``MAX_LIMIT`` (5000) it is taken as 5000.
``offset`` is a whole number from 0 to ``MAX_OFFSET`` (1,000,000; page further with ``cursor``).
The database reads and throws away every row before the offset, so a deep offset costs in
proportion to its depth (1.3 s at offset 499,950 of 500,000 events) while a cursor page costs
the same at any depth: clients that walk a long list use ``cursor``. The bound stays where v1
published it (narrowing accepted input would break v1 clients, docs/api.md "Versions"); a
next version may lower it, as Elasticsearch's ``max_result_window`` does.
Anything else (not a number, negative, zero limit, an offset past the bound) answers 400 with
the field and the reason, never a 500 from a number the database cannot hold.
"""

import base64
import binascii
import json
import re

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .filters import PARAM as UPDATED_SINCE

CURSOR = "cursor"
# The largest page a client may ask for (a larger ``limit`` is taken as this).
MAX_LIMIT = 5000
# The deepest ``offset`` accepted; deeper lists are walked with ``?cursor=`` (docstring).
MAX_OFFSET = 1_000_000
_WHOLE = re.compile(r"\d+")


def _ordering(queryset) -> list[tuple[str, bool]]:
    """The queryset's ordering as (column, descending) pairs ending with ``id``."""
    model = queryset.model
    raw = list(queryset.query.order_by) or list(model._meta.ordering or [])
    keys: list[tuple[str, bool]] = []
    for item in raw:
        if not isinstance(item, str) or item == "?":
            return [("id", False)]
        desc = item.startswith("-")
        name = item.lstrip("-")
        if name == "pk":
            name = "id"
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return [("id", False)]
        if not field.concrete or field.null or field.is_relation:
            return [("id", False)]
        keys.append((field.attname, desc))
        if field.attname == "id":
            return keys
    keys.append(("id", keys[-1][1] if keys else False))
    return keys


def _after(keys, values) -> Q:
    """Rows strictly after ``values`` in the ordering ``keys`` (a keyset condition)."""
    condition = Q(pk__in=[])
    for i, (name, desc) in enumerate(keys):
        step = Q(**{f"{name}__{'lt' if desc else 'gt'}": values[i]})
        for j in range(i):
            step &= Q(**{keys[j][0]: values[j]})
        condition |= step
    return condition


class GridGovPagination(LimitOffsetPagination):
    """Limit/offset paging plus forward keyset paging with ``?cursor=`` (module docstring)."""

    cursor_query_param = CURSOR
    max_limit = MAX_LIMIT
    max_offset = MAX_OFFSET

    def _whole(self, request, name):
        """The parameter as a whole number (``None`` when absent), or 400 naming it."""
        raw = request.query_params.get(name)
        if raw is None:
            return None
        raw = raw.strip()
        if raw == "":
            return None
        if not _WHOLE.fullmatch(raw):
            raise exceptions.ValidationError({name: [_("须为不小于 0 的整数。")]})
        # Beyond 18 digits the value is past every bound; do not build a huge int.
        return int(raw) if len(raw) <= 18 else 10 ** 18

    def get_limit(self, request):
        value = self._whole(request, self.limit_query_param)
        if value is None:
            return self.default_limit
        if value < 1:
            raise exceptions.ValidationError(
                {self.limit_query_param: [_("须为不小于 1 的整数。")]})
        return min(value, self.max_limit)

    def get_offset(self, request):
        value = self._whole(request, self.offset_query_param)
        if value is None:
            return 0
        if value > self.max_offset:
            raise exceptions.ValidationError({self.offset_query_param: [
                _("不能超过 %(max)d;更深的翻页请用 cursor 参数。") % {"max": self.max_offset}]})
        return value

    def use_cursor(self, request) -> bool:
        params = request.query_params
        return self.cursor_query_param in params or (
            UPDATED_SINCE in params and self.offset_query_param not in params)

    def paginate_queryset(self, queryset, request, view=None):
        self.cursor_mode = self.use_cursor(request)
        if not self.cursor_mode:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.keys = _ordering(queryset)
        queryset = queryset.order_by(*[("-" if d else "") + n for n, d in self.keys])
        values, self.count = self._decode(
            request.query_params.get(self.cursor_query_param, ""), queryset.model)
        if self.count is None:
            self.count = self.get_count(queryset)
        if values is not None:
            queryset = queryset.filter(_after(self.keys, values))
        rows = list(queryset[: self.limit + 1])
        self.has_next = len(rows) > self.limit
        rows = rows[: self.limit]
        self.last = rows[-1] if rows else None
        return rows

    # --- cursors ---------------------------------------------------------------------------

    def _signature(self) -> list[str]:
        return [("-" if d else "") + n for n, d in self.keys]

    def _encode(self, obj) -> str:
        meta = type(obj)._meta
        values = [meta.get_field(name).value_to_string(obj) for name, _d in self.keys]
        payload = json.dumps({"o": self._signature(), "v": values, "n": self.count},
                             ensure_ascii=False)
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    def _decode(self, raw: str, model) -> tuple[list | None, int | None]:
        """``(values, count)`` of a cursor: the last row's keys and the count of the walk's
        first page (``None`` for a cursor made before counts were carried), or ``(None,
        None)`` for the first page; 400 naming ``cursor`` when it is not one of ours."""
        if not raw:
            return None, None
        bad = exceptions.ValidationError({self.cursor_query_param: [_(
            "游标无效或不属于此列表的排序,请从第一页重新开始。")]})
        try:
            padded = raw + "=" * (-len(raw) % 4)
            payload = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
            if payload.get("o") != self._signature():
                raise bad
            values = []
            for (name, _d), value in zip(self.keys, payload["v"], strict=True):
                values.append(model._meta.get_field(name).to_python(value))
            count = payload.get("n")
            if count is not None and (type(count) is not int or count < 0):
                raise bad
            return values, count
        except (ValueError, TypeError, KeyError, AttributeError, binascii.Error,
                DjangoValidationError):
            raise bad from None

    # --- answers ---------------------------------------------------------------------------

    def get_next_link(self):
        if not getattr(self, "cursor_mode", False):
            return super().get_next_link()
        if not self.has_next or self.last is None:
            return None
        url = self.request.build_absolute_uri()
        url = remove_query_param(url, self.offset_query_param)
        url = replace_query_param(url, self.limit_query_param, self.limit)
        return replace_query_param(url, self.cursor_query_param, self._encode(self.last))

    def get_previous_link(self):
        if getattr(self, "cursor_mode", False):
            return None
        return super().get_previous_link()

    def get_paginated_response(self, data):
        return Response({"count": self.count, "next": self.get_next_link(),
                         "previous": self.get_previous_link(), "results": data})

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.offset_query_param:
                # The window is part of the contract: a deeper offset is 400, not a slow page.
                parameter["description"] = (
                    f"跳过的记录数,0 至 {self.max_offset};更深的翻页请用 cursor 参数。")
                parameter["schema"] = {"type": "integer", "minimum": 0,
                                       "maximum": self.max_offset}
        parameters.append({
            "name": self.cursor_query_param,
            "required": False,
            "in": "query",
            "description": (
                "游标分页:留空取第一页,之后沿用上一页 next 链接中的 cursor。按列表排序(以 id "
                "为次序键;指定 updated_since 时按 (updated_at, id))向后翻页,翻页期间新增或"
                "修改的记录不会造成重复或遗漏。与 offset 互斥;previous 恒为空。count 只在第一页"
                "统计一次,之后各页沿用(翻页开始时的总数)。"
            ),
            "schema": {"type": "string"},
        })
        return parameters
