"""The query parameters of ``/collections/{id}/items``: ``bbox`` (with ``bbox-crs``),
``datetime``, ``limit``, ``cursor`` / ``offset``, ``crs`` and ``f``. A malformed value is a 400
naming the parameter (``ProtocolError`` with ``fields``); so is a parameter the API does not
define (Part 1, /req/core/query-param-unknown)."""

import base64
import datetime as dt
import math
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from gridgov.protocols.common import ProtocolError

from . import crs as crs_mod

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
ITEMS_PARAMS = frozenset({"f", "bbox", "bbox-crs", "datetime", "limit", "cursor", "offset",
                          "crs", "api_key"})
ITEM_PARAMS = frozenset({"f", "crs", "api_key"})
META_PARAMS = frozenset({"f", "api_key"})


def bad(param: str, message: str) -> ProtocolError:
    return ProtocolError(400, f"{param}: {message}", fields={param: [message]})


def check_known(data, allowed) -> None:
    unknown = sorted(set(data.keys()) - allowed)
    if unknown:
        raise bad(unknown[0], _("不支持的查询参数。可用的参数:%(list)s。")
                  % {"list": ", ".join(sorted(allowed - {"api_key"}))})


@dataclass(frozen=True)
class Interval:
    start: dt.datetime | None
    end: dt.datetime | None


@dataclass(frozen=True)
class Cursor:
    """Keyset position: rows after ``pk`` (next page) or before it (previous page)."""

    after: bool
    pk: int

    def encode(self) -> str:
        raw = f"{'a' if self.after else 'b'}{self.pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def limit(data) -> int:
    raw = data.get("limit")
    if raw in (None, ""):
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise bad("limit", _("应为正整数。")) from None
    if value < 1:
        raise bad("limit", _("应为正整数。"))
    # Part 1: a limit above the maximum is served at the maximum, not refused.
    return min(value, MAX_LIMIT)


def offset(data) -> int:
    raw = data.get("offset")
    if raw in (None, ""):
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise bad("offset", _("应为非负整数。")) from None
    if value < 0:
        raise bad("offset", _("应为非负整数。"))
    return value


def cursor(data) -> Cursor | None:
    raw = data.get("cursor")
    if not raw:
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        if text[0] not in "ab" or not text[1:].isdigit():
            raise ValueError
        return Cursor(text[0] == "a", int(text[1:]))
    except (ValueError, IndexError, UnicodeDecodeError):
        raise bad("cursor", _("无效的翻页游标,请使用响应中 next / prev 链接给出的地址。")) from None


def bbox(data) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) in CRS84, whatever ``bbox-crs`` the caller used;
    a 3D bbox (six numbers) is read without its heights."""
    raw = data.get("bbox")
    box_crs = crs_mod.parse_crs(data.get("bbox-crs"), "bbox-crs")
    if raw in (None, ""):
        if data.get("bbox-crs"):
            raise bad("bbox-crs", _("只能与 bbox 一起使用。"))
        return None
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        raise bad("bbox", _("应为 4 个(或 6 个)以逗号分隔的数字。")) from None
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise bad("bbox", _("应为 4 个(或 6 个)以逗号分隔的数字。"))
    if crs_mod.lat_first(box_crs):
        values = [values[1], values[0], values[3], values[2]]
    minx, miny, maxx, maxy = values
    if miny > maxy:
        raise bad("bbox", _("下边界不能大于上边界。"))
    if not (-90 <= miny <= 90 and -90 <= maxy <= 90 and -180 <= minx <= 180
            and -180 <= maxx <= 180):
        raise bad("bbox", _("超出经纬度范围(经度 ±180,纬度 ±90)。"))
    if minx > maxx:
        # Crossing the antimeridian: nothing of ours lies there; read as the whole width.
        minx, maxx = -180.0, 180.0
    return minx, miny, maxx, maxy


def _instant(text: str, *, end: bool) -> dt.datetime | None:
    if text in ("", ".."):
        return None
    moment = parse_datetime(text)
    if moment is not None:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, dt.UTC)
        return moment
    day = parse_date(text)
    if day is None:
        raise ValueError(text)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start + dt.timedelta(days=1) - dt.timedelta(microseconds=1) if end else start


def datetime_interval(data) -> Interval | None:
    """``datetime``: an instant (a date stands for the whole day) or an interval
    ``start/end`` with ``..`` (or nothing) for an open end (RFC 3339)."""
    raw = data.get("datetime")
    if raw in (None, ""):
        return None
    try:
        if "/" in raw:
            first, _sep, second = raw.partition("/")
            if first in ("", "..") and second in ("", ".."):
                raise ValueError(raw)
            interval = Interval(_instant(first, end=False), _instant(second, end=True))
        else:
            if raw == "..":
                raise ValueError(raw)
            interval = Interval(_instant(raw, end=False), _instant(raw, end=True))
    except ValueError:
        raise bad("datetime", _("应为 RFC 3339 时间(如 2026-12-01T08:00:00Z)或区间"
                                "(如 2026-11-01/2026-11-30、2026-11-01T00:00:00Z/..)。")) from None
    if interval.start and interval.end and interval.start > interval.end:
        raise bad("datetime", _("区间的开始不能晚于结束。"))
    return interval
