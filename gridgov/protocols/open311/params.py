"""Reading Open311 parameters: empty counts as missing (the spec), and anything a client can
send is either a value or ``ProtocolError(400)`` naming the parameter, never a server error.

Datetimes are the W3C profile of ISO 8601 the spec asks for (``2026-01-01T00:00:00+08:00``,
``...Z``; without a zone: Beijing time). Impossible ones (30 February, hour 25, an offset of
``+99:00``, a date that leaves the calendar once moved to UTC, such as year 9999 with a
negative offset) are refused with the reason.
"""

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gridgov.protocols.common import ProtocolError

# Characters no parameter may carry: PostgreSQL refuses NUL in text, so a query with one
# would fail inside the database.
_FORBIDDEN = ("\x00",)


def param(data, name) -> str:
    """A parameter's value; empty counts as missing (the spec)."""
    value = (data.get(name) or "").strip()
    if any(c in value for c in _FORBIDDEN):
        raise ProtocolError(400, _("%(name)s 含有不允许的字符。") % {"name": name})
    return value


def list_param(data, name) -> list[str]:
    return [v.strip() for v in param(data, name).split(",") if v.strip()]


def parse_w3_datetime(raw: str) -> dt.datetime | None:
    """An aware datetime from a W3C/ISO 8601 string, or ``None`` when it is not a possible
    moment (malformed, impossible date or time, offset out of range, outside the calendar
    once in UTC). A ``+`` turned into a space by form decoding is read back as ``+``."""
    raw = (raw or "").strip().replace(" ", "+")
    if not raw or len(raw) > 64:
        return None
    try:
        value = parse_datetime(raw)
    except (ValueError, OverflowError, TypeError):
        return None  # the pattern matched, the values did not (30 February, hour 25, +99:00)
    if value is None:
        return None
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        # Every comparison happens in UTC; a moment that cannot be written there is not one.
        value.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None
    return value


def datetime_param(data, name) -> dt.datetime | None:
    raw = param(data, name)
    if not raw:
        return None
    value = parse_w3_datetime(raw)
    if value is None:
        raise ProtocolError(
            400, _("%(name)s 不是有效的 W3C 日期时间(如 2026-01-01T00:00:00+08:00)。")
            % {"name": name})
    return value


def int_param(data, name, default, low, high) -> int:
    raw = param(data, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ProtocolError(400, _("%(name)s 必须是整数。") % {"name": name}) from None
    if not low <= value <= high:
        raise ProtocolError(400, _("%(name)s 须在 %(low)d 到 %(high)d 之间。")
                            % {"name": name, "low": low, "high": high})
    return value


def flag_param(data, name) -> bool:
    """A boolean switch: ``true``/``1`` on, ``false``/``0``/missing off."""
    raw = param(data, name).lower()
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise ProtocolError(400, _("%(name)s 只能是 true 或 false。") % {"name": name})
