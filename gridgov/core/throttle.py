"""Limits shared by every process: one counter for sign-in, public intake, the APIs and imports.

``hit(bucket, key, limit=..., window=...)`` counts one request of ``key`` (a client address, a
user name, a principal) in a fixed window of ``window`` seconds and says whether it is within
``limit``. ``check(name, key)`` does the same with the operator's rate ``GRIDGOV_RATE_<NAME>``
("20/15m"; empty or "0": off). ``claim_once(key, ttl)`` is true for the first caller only
(a TOTP code's time step).

Where it counts (``GRIDGOV_THROTTLE_STORE``: "" chooses):

- **Redis** when ``REDIS_URL`` is set: ``INCR`` and ``EXPIREAT`` in one ``MULTI``; a claim is
  ``SET NX EX``. When Redis fails, the call falls back to the database, so a Redis outage
  neither opens the limits nor stops sign-in.
- **the database** otherwise (``core.RateCounter``): one row per (key, window), moved by an
  atomic ``UPDATE … SET count = count + 1 RETURNING count``, or on a new window an
  ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (PostgreSQL and SQLite 3.35+), so two
  processes racing on a new window both count and none fails. Rows of ended windows are
  deleted at most once a minute per process on a window's first hit, and by the periodic task
  ``gridgov.core.tasks.purge_rate_counters``.

Either way the count is the same for every worker, which a per-process cache (Django's
``LocMemCache``, the default without Redis) is not. Windows are fixed: at most twice the
limit can pass in a span of one window straddling a boundary, which these limits tolerate.

No personal data is stored: a key is the bucket and the keyed lookup hash
(``personal_data.lookup_hash``) of the client, so the table (or Redis) says how often some
client was counted, never who. IPv6 addresses count per /64, the block one subscriber holds.

Counters are bookkeeping, not records anyone acts on: they are written here directly, not
through an audited action (auditing every request counted would flood the audit log); the
callers audit what matters (a sign-in address throttled, an account locked).
"""

import ipaddress
import logging
import math
import re
import threading
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from . import personal_data
from .context import current_client_ip
from .models import RateCounter

logger = logging.getLogger(__name__)

REDIS_PREFIX = "gridgov:throttle:"
# Seconds between two purges of ended windows by one process.
PURGE_EVERY = 60
_BUCKET_RE = re.compile(r"^[a-z0-9-]{1,32}$")
_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")
_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60,
          "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
# The bucket of single-use claims (``claim_once``).
ONCE = "once"


@dataclass(frozen=True)
class Decision:
    """The answer for one counted request: whether it may go on, the count in the current
    window (this request included), the limit, and the seconds until the window ends (what
    ``Retry-After`` says when the request is refused)."""

    allowed: bool
    count: int = 0
    limit: int = 0
    retry_after: int = 0

    @property
    def retry_minutes(self) -> int:
        """``retry_after`` in whole minutes, at least 1 (for messages)."""
        return max(1, math.ceil(self.retry_after / 60))


UNLIMITED = Decision(True)


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int


# --- rates ----------------------------------------------------------------------------------


def parse_rate(text) -> Rate | None:
    """``"20/15m"`` → Rate(20, 900); ``"600/min"``, ``"30/hour"``, ``"5/10min"`` likewise;
    empty, ``"0"`` or ``"off"`` → ``None`` (no limit). Anything else is ImproperlyConfigured."""
    text = str(text or "").strip().lower()
    if text in ("", "0", "off", "none"):
        return None
    match = _RATE_RE.match(text)
    unit = _UNITS.get(match.group(3)) if match else None
    if unit is None:
        raise ImproperlyConfigured(
            f"bad rate {text!r}: expected <requests>/<period>, e.g. 20/15m, 600/min, 30/hour")
    limit, multiple = int(match.group(1)), int(match.group(2) or 1)
    if limit == 0:
        return None
    if multiple < 1:
        raise ImproperlyConfigured(f"bad rate {text!r}: the period must be at least 1")
    return Rate(limit, multiple * unit)


def rate(name: str) -> Rate | None:
    """The operator's rate ``GRIDGOV_RATE_<NAME>`` (``name`` like "api-anon")."""
    setting = "GRIDGOV_RATE_" + name.upper().replace("-", "_")
    return parse_rate(getattr(settings, setting, ""))


def check(name: str, key: str, *, now: float | None = None) -> Decision:
    """Count one request of ``key`` under the rate ``name``; always allowed when it is off."""
    limits = rate(name)
    if limits is None:
        return UNLIMITED
    return hit(name, key, limit=limits.limit, window=limits.window, now=now)


def client_address(request=None) -> str:
    """The client's address as the throttles count it: the request's address (behind a
    trusted proxy, the forwarded one: ``RequestContextMiddleware``), an IPv6 address as its
    /64 block."""
    raw = current_client_ip() or (request.META.get("REMOTE_ADDR", "") if request else "")
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return raw.strip()[:64] or "unknown"
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def principal_key(user) -> str | None:
    """Who a per-principal limit counts: ``key:<id>`` for a department key, ``user:<id>`` for
    a person (session or device token alike), ``None`` for an anonymous caller."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    api_key = getattr(user, "api_key", None)
    if api_key is not None:
        return f"key:{api_key.pk}"
    return f"user:{user.pk}"


def check_export(request) -> Decision:
    """Count one export of the request's principal (``GRIDGOV_RATE_EXPORT``): a file of rows
    (people, cases, the audit log, statistics, rankings). Every export page shares the count,
    so a script cannot page a district's records out one filtered file after another."""
    return check("export", principal_key(request.user) or client_address(request))


def check_import(request) -> Decision:
    """Count one import upload of the request's principal (``GRIDGOV_RATE_IMPORT``): the
    import pages and the import API share the count."""
    return check("import", principal_key(request.user) or client_address(request))


# --- the counter ----------------------------------------------------------------------------


def _clock() -> float:
    """Now, in seconds since the epoch. One seam, so the tests can keep a window from ending
    in the middle of a test (windows are fixed to the clock)."""
    return time.time()


def _name(bucket: str, key: str) -> str:
    if not _BUCKET_RE.match(bucket):
        raise ValueError(f"bad throttle bucket {bucket!r}")
    digest = personal_data.lookup_hash(f"throttle\x1f{bucket}\x1f{key}")
    return f"{bucket}:{digest[:40]}"


def _window(window: int, now: float | None) -> tuple[float, int, int]:
    now = _clock() if now is None else now
    window = max(1, int(window))
    start = int(now // window) * window
    return now, start, start + window


def hit(bucket: str, key: str, *, limit: int, window: int, now: float | None = None) -> Decision:
    """Count one request of ``key`` in ``bucket``'s current window of ``window`` seconds;
    allowed while the count is at most ``limit``."""
    now, start, end = _window(window, now)
    name = _name(bucket, str(key))
    count = _store_call("incr", name, start, end, now)
    return Decision(allowed=count <= limit, count=count, limit=limit,
                    retry_after=max(1, math.ceil(end - now)))


def refund(bucket: str, key: str, *, window: int, now: float | None = None) -> None:
    """Take back one count of ``key`` in the current window (an attempt that turned out
    well, such as a successful sign-in); nothing when the window has moved on."""
    now, start, end = _window(window, now)
    _store_call("decr", _name(bucket, str(key)), start, end, now)


def claim_once(key: str, ttl: int, *, now: float | None = None) -> bool:
    """True for the first caller to claim ``key`` within ``ttl`` seconds, across processes;
    False for every other until the claim expires."""
    now = _clock() if now is None else now
    return bool(_store_call("claim", _name(ONCE, str(key)), 0, math.ceil(now + ttl), now))


def store() -> str:
    """The store in use: "redis" or "db" (``GRIDGOV_THROTTLE_STORE``, else by ``REDIS_URL``)."""
    chosen = (getattr(settings, "GRIDGOV_THROTTLE_STORE", "") or "").strip().lower()
    if chosen in ("db", "redis"):
        return chosen
    if chosen:
        raise ImproperlyConfigured(f"GRIDGOV_THROTTLE_STORE must be db or redis, got {chosen!r}")
    return "redis" if getattr(settings, "REDIS_URL", "") else "db"


def _store_call(op: str, name: str, start: int, end: int, now: float) -> int:
    if store() == "redis":
        try:
            return _REDIS_OPS[op](name, start, end, now)
        except (redis.RedisError, OSError) as exc:
            # Counted in the database instead: the limits hold while Redis is away.
            logger.warning("throttle: Redis unavailable (%s), counting in the database", exc)
    return _DB_OPS[op](name, start, end, now)


# --- database store -------------------------------------------------------------------------

_last_purge = [0.0]


def _sql(template: str) -> str:
    quote = connection.ops.quote_name
    return template.format(t=quote(RateCounter._meta.db_table), key=quote("key"),
                           start=quote("window_start"), count=quote("count"),
                           expires=quote("expires_at"))


def _returned(sql: str, params) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(_sql(sql), params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _db_incr(name, start, end, now) -> int:
    # The common case, a window already counting, is one UPDATE (no speculative insert).
    count = _returned("UPDATE {t} SET {count} = {count} + 1 WHERE {key} = %s AND {start} = %s"
                      " RETURNING {count}", [name, start])
    if count is not None:
        return count
    count = _returned(
        "INSERT INTO {t} ({key}, {start}, {count}, {expires}) VALUES (%s, %s, 1, %s)"
        " ON CONFLICT ({key}, {start}) DO UPDATE SET {count} = {t}.{count} + 1"
        " RETURNING {count}", [name, start, end])
    if count == 1:
        _maybe_purge(now)
    return count


def _db_decr(name, start, end, now) -> int:
    return _returned("UPDATE {t} SET {count} = {count} - 1 WHERE {key} = %s AND {start} = %s"
                     " AND {count} > 0 RETURNING {count}", [name, start]) or 0


def _db_claim(name, start, end, now) -> int:
    # Inserted, or taken over when the earlier claim has expired: one row comes back. A live
    # claim makes the conditional DO UPDATE do nothing: no row, not claimed.
    return _returned(
        "INSERT INTO {t} ({key}, {start}, {count}, {expires}) VALUES (%s, %s, 1, %s)"
        " ON CONFLICT ({key}, {start}) DO UPDATE SET {count} = 1, {expires} = excluded.{expires}"
        " WHERE {t}.{expires} <= %s RETURNING {count}", [name, start, end, int(now)]) or 0


def _maybe_purge(now: float) -> None:
    if now - _last_purge[0] >= PURGE_EVERY:
        _last_purge[0] = now
        purge_expired(now)


def purge_expired(now: float | None = None) -> int:
    """Delete the database rows of ended windows and expired claims; how many went."""
    now = _clock() if now is None else now
    deleted, _ = RateCounter.objects.filter(expires_at__lt=int(now)).delete()
    return deleted


_DB_OPS = {"incr": _db_incr, "decr": _db_decr, "claim": _db_claim}


# --- Redis store ----------------------------------------------------------------------------

_clients: dict = {}
_clients_lock = threading.Lock()

_DECR_IF_POSITIVE = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""


def _redis():
    url = settings.REDIS_URL
    client = _clients.get(url)
    if client is not None:
        return client
    # One client per process, made under a lock: two threads racing here would each make one,
    # and the client the dict lets go closes its pool when collected, under the other thread's
    # command in flight ("I/O operation on closed file").
    with _clients_lock:
        return _clients.get(url) or _new_redis(url)


def _new_redis(url):
    # Short timeouts: a throttle must not hold a request for long; on failure the database
    # counts instead. Not shorter: a busy worker may be off the CPU for a few hundred ms, and
    # a spurious fallback splits a window's count between the two stores.
    timeout = float(getattr(settings, "GRIDGOV_THROTTLE_REDIS_TIMEOUT", 2))
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    _clients[url] = client
    return client


def _redis_key(name: str, start: int) -> str:
    return f"{REDIS_PREFIX}{name}:{start}"


def _redis_incr(name, start, end, now) -> int:
    key = _redis_key(name, start)
    pipe = _redis().pipeline(transaction=True)
    pipe.incr(key)
    pipe.expireat(key, end + 1)
    count, _ = pipe.execute()
    return int(count)


def _redis_decr(name, start, end, now) -> int:
    return int(_redis().eval(_DECR_IF_POSITIVE, 1, _redis_key(name, start)))


def _redis_claim(name, start, end, now) -> int:
    ttl = max(1, math.ceil(end - now))
    return 1 if _redis().set(_redis_key(name, start), 1, nx=True, ex=ttl) else 0


_REDIS_OPS = {"incr": _redis_incr, "decr": _redis_decr, "claim": _redis_claim}
