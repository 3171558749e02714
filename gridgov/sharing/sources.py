"""Where a resource's rows come from, and the keyset walk over them.

A resource is backed either by a built-in source (``registry.py``) or by its uploaded
``ResourceRow`` rows. Both are walked in (updated timestamp, primary key) order, so a consumer
pages with a cursor that stays valid while rows are added or changed, and ``updated_since``
gives an incremental pull.
"""

import base64
import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from gridgov.core.personal_data import mask_value

from .choices import Masking
from .models import ResourceRow
from .registry import get_builtin

DEFAULT_LIMIT = 1000
MAX_LIMIT = 50_000
ITERATOR_CHUNK = 2000


class SourceUnavailable(LookupError):
    """A built-in resource whose source is not registered in this installation."""


class RowSource:
    """The rows of one resource as (pk, updated timestamp, plain dict) triples."""

    def __init__(self, resource):
        self.resource = resource
        self.builtin = None
        if resource.builtin_key:
            self.builtin = get_builtin(resource.builtin_key)
            if self.builtin is None:
                raise SourceUnavailable(resource.builtin_key)
            self.updated_field = self.builtin.updated_field
        else:
            self.updated_field = "updated_at"

    def queryset(self):
        if self.builtin is not None:
            return self.builtin.queryset()
        return ResourceRow.objects.filter(resource=self.resource)

    def walk(self, *, updated_since=None, after=None):
        """A queryset in keyset order from ``after`` = (timestamp, pk), exclusive."""
        field = self.updated_field
        qs = self.queryset()
        if updated_since is not None:
            qs = qs.filter(**{f"{field}__gte": updated_since})
        if after is not None:
            stamp, pk = after
            from django.db.models import Q

            # The redundant ">=" gives both databases an index range to start from; the OR
            # alone makes SQLite scan from the first row of the resource on every page.
            qs = qs.filter(**{f"{field}__gte": stamp}).filter(
                Q(**{f"{field}__gt": stamp}) | Q(**{field: stamp, "pk__gt": pk}))
        return qs.order_by(field, "pk")

    def iterate(self, qs):
        """(pk, timestamp, row dict) for each row of ``qs``, streamed from the database.

        The timestamp may be the database's raw value; ``stamp()`` turns the one a cursor
        needs into a datetime.
        """
        if self.builtin is None:
            yield from _raw_rows(qs.values_list("pk", "updated_at", "data"))
            return
        row = self.builtin.row
        field = self.updated_field
        for obj in qs.iterator(chunk_size=ITERATOR_CHUNK):
            yield obj.pk, getattr(obj, field), row(obj)

    @staticmethod
    def stamp(value):
        """A timestamp from ``iterate()`` as an aware datetime."""
        if isinstance(value, str):
            value = parse_datetime(value)
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return value

    def count(self, **kwargs) -> int:
        return self.walk(**kwargs).count()


def _raw_rows(qs):
    """The uploaded rows straight from a server-side cursor: one JSON decode per row and
    nothing else (no field converters, no model instances) on the hot path."""
    compiler = qs.query.get_compiler(qs.db)
    sql, params = compiler.as_sql()
    connection = connections[qs.db]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        loads = json.loads
        while True:
            rows = cursor.fetchmany(ITERATOR_CHUNK)
            if not rows:
                return
            for pk, stamp, data in rows:
                yield pk, stamp, loads(data) if isinstance(data, str | bytes) else data


def projector(grant):
    """A function turning a plain row into what ``grant`` lets its consumer see."""
    fields = list(grant.fields)
    masked = {f for f in fields if grant.masking.get(f) == Masking.MASKED}
    if not masked:
        return lambda data: {f: data.get(f) for f in fields}
    return lambda data: {
        f: (mask_value(data.get(f)) if f in masked else data.get(f)) for f in fields
    }


# --- parameters -----------------------------------------------------------------------------


def encode_cursor(stamp, pk) -> str:
    raw = json.dumps([stamp.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str):
    """(timestamp, pk) from a cursor; a ValidationError on ``cursor`` when it is not one."""
    try:
        padded = value + "=" * (-len(value) % 4)
        stamp, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        parsed = dt.datetime.fromisoformat(stamp)
        if not isinstance(pk, int):
            raise ValueError(pk)
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError({"cursor": _("游标无效,请使用上一页返回的 next_cursor。")})
    return parsed, pk


def parse_since(value: str):
    """An ISO 8601 date or date-time (local time when no zone is given)."""
    value = (value or "").strip()
    if not value:
        return None
    parsed = None
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is not None:
                parsed = dt.datetime.combine(day, dt.time())
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({"updated_since": _(
            "请使用 ISO 8601 日期或时间,例如 2026-01-31T08:00:00+08:00。")})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def parse_limit(value, *, default=DEFAULT_LIMIT, maximum=MAX_LIMIT, field="limit") -> int:
    if value in (None, ""):
        return default
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("请填写正整数。")})
    if limit < 1 or limit > maximum:
        raise ValidationError({field: _("取值范围为 1 至 %(max)d。") % {"max": maximum}})
    return limit
