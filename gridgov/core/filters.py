"""``?updated_since=`` on every API list whose model has an ``updated_at`` column.

A default filter backend (``REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]``), so a mobile client
or a partner system syncs deltas from any such list without each viewset opting in. The value
is ISO 8601 (``2026-12-01T08:00:00+08:00``, or a date ``2026-12-01`` meaning its midnight;
without a zone, the server's zone). Rows changed at or after that instant are kept (``>=``: a
client resuming from the last ``updated_at`` it saw may get that row again, never miss one),
ordered by ``(updated_at, id)``, which the cursor paging of ``gridgov.core.pagination``
walks without skipping rows that change during the sync. A bad value answers 400 naming the
field and the reason.

Lists whose model has no ``updated_at`` ignore the parameter and do not document it (at the
time of writing: departments, API keys, device tokens, audit records, notifications).
"""

import datetime as dt

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.filters import BaseFilterBackend

PARAM = "updated_since"
FIELD = "updated_at"


def has_updated_at(model) -> bool:
    """Whether a model carries the ``updated_at`` column the filter needs."""
    if model is None:
        return False
    try:
        model._meta.get_field(FIELD)
    except FieldDoesNotExist:
        return False
    return True


def parse_instant(raw: str) -> dt.datetime:
    """An ISO 8601 date-time (or date) as an aware datetime; ``ValidationError`` if it is not."""
    raw = (raw or "").strip()
    # "+08:00" arrives as " 08:00" when a client forgot to encode the plus sign.
    value = None
    try:
        value = parse_datetime(raw.replace(" ", "+") if "T" in raw else raw)
        if value is None:
            day = parse_date(raw)
            if day is not None:
                value = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        value = None
    if value is None:
        raise exceptions.ValidationError({PARAM: [_(
            "不是有效的 ISO 8601 时间,例如 2026-12-01T08:00:00+08:00 或 2026-12-01。")]})
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        # Real offsets lie within ±14:00; the database refuses others (PostgreSQL: "time
        # zone displacement out of range"), so they are bad input, not a server error.
        offset = value.utcoffset()
        if offset is None or abs(offset) > dt.timedelta(hours=14):
            raise ValueError("offset out of range")
        value = value.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise exceptions.ValidationError({PARAM: [_(
            "时间超出范围:时区偏移须在 ±14:00 以内,年份须在 1 到 9999 之间。")]}) from None
    return value


def _model(view, queryset=None):
    if queryset is not None:
        return queryset.model
    base = getattr(view, "queryset", None)
    if base is not None:
        return base.model
    return getattr(view, "model", None)


class UpdatedSinceFilter(BaseFilterBackend):
    """Keep rows changed since ``?updated_since=``, in ``(updated_at, id)`` order."""

    def filter_queryset(self, request, queryset, view):
        raw = request.query_params.get(PARAM)
        if raw is None or not has_updated_at(queryset.model):
            return queryset
        since = parse_instant(raw)
        return queryset.filter(**{f"{FIELD}__gte": since}).order_by(FIELD, "id")

    def get_schema_operation_parameters(self, view):
        if not has_updated_at(_model(view)):
            return []
        return [{
            "name": PARAM,
            "required": False,
            "in": "query",
            "description": (
                "增量同步:只返回此时刻及之后更新的记录(ISO 8601,如 2026-12-01T08:00:00+08:00;"
                "省略时区按服务器时区),按 (updated_at, id) 排序,并默认使用游标分页(cursor)。"
                "格式错误返回 400。"
            ),
            "schema": {"type": "string", "format": "date-time"},
        }]
