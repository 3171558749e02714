"""The HMAC chain: how a record's hash is computed from its content and its predecessor.

Five kinds of links, all keyed with ``settings.AUDIT_HMAC_KEY`` so that somebody who can write
to the database but does not hold the key cannot forge one:

* a record's ``hash`` covers its content and the ``hash`` of the previous record of its chain;
* a daily anchor's ``hash`` covers the day's record count and digest and the previous anchor;
* a purge mark's ``hash`` covers what a purge removed and the previous purge mark;
* a checkpoint's ``hash`` covers the open day's record count and digest up to a record id and
  the previous checkpoint of that day (or the last anchor before it);
* a key epoch's ``hash`` (and ``old_hash``, under the retired key) records a key rotation.

Every function takes an optional ``key``: signing always uses the current key, verification
also tries the retired ones (``gridgov.audit.keys.Keyring``).
"""

import datetime as dt
import hashlib
import hmac
import json

from .keys import current_key

GENESIS = "0" * 64

# The fields a record's hash covers, in order. Changing any of them breaks the link.
HASHED_FIELDS = (
    "chain_key", "seq", "at", "actor_id", "actor_name", "role", "action", "object_type",
    "object_id", "object_repr", "changes", "remark", "request_id", "client_ip",
)


def _mac(message: str, key: bytes | None = None) -> str:
    return hmac.new(key if key is not None else current_key(), message.encode("utf-8"),
                    hashlib.sha256).hexdigest()


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _normalise(value):
    """Make a value hash the same before and after a database round trip.

    PostgreSQL's jsonb gives ``1e+20`` back as the integer ``100000000000000000000`` and
    ``2.0`` as ``2.0``; treating every integral float as an int makes both sides agree.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


def canonical(value) -> str:
    return json.dumps(_normalise(value), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), default=str)


def record_payload(record) -> dict:
    """The hashed fields of a record, given as a model instance or a ``values()`` dict."""
    get = record.get if isinstance(record, dict) else lambda name: getattr(record, name)
    out = {}
    for name in HASHED_FIELDS:
        value = get(name)
        if name == "at":
            value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
        out[name] = value
    return out


def record_hash(record, prev_hash: str, key: bytes | None = None) -> str:
    return _mac(prev_hash + "|" + canonical(record_payload(record)), key)


def anchor_hash(day, count: int, digest: str, first_id, last_id, prev_hash: str,
                key: bytes | None = None) -> str:
    return _mac(f"{prev_hash}|{day.isoformat()}|{count}|{digest}|{first_id}|{last_id}", key)


def checkpoint_hash(cp, prev_hash: str, key: bytes | None = None) -> str:
    """The HMAC of a checkpoint (an ``AuditCheckpoint`` or anything with its fields)."""
    return _mac(f"checkpoint|{prev_hash}|{cp.day.isoformat()}|{cp.upto_id}|{cp.record_count}|"
                f"{cp.records_digest}|{_utc(cp.at)}", key)


def checkpoint_digest(prev_digest: str, hashes) -> str:
    """A checkpoint's digest: SHA-256 over the previous checkpoint's digest of the same day
    (nothing for the first) and the record hashes after it, in id order. Chaining the digests
    lets each checkpoint read only the records written since the last one."""
    h = hashlib.sha256(prev_digest.encode("utf-8"))
    for value in hashes:
        h.update(value.encode("utf-8"))
    return h.hexdigest()


def epoch_message(epoch, prev_hash: str) -> str:
    def day(value):
        return value.isoformat() if value else ""

    return (f"epoch|{prev_hash}|{epoch.key_id}|{epoch.retired_key_id}|{epoch.upto_id}|"
            f"{day(epoch.anchor_day)}|{epoch.anchor_hash}|{day(epoch.checkpoint_day)}|"
            f"{epoch.checkpoint_upto or ''}|{epoch.checkpoint_hash}|{day(epoch.mark_day)}|"
            f"{epoch.mark_hash}|{_utc(epoch.at)}")


def epoch_hash(epoch, prev_hash: str, key: bytes | None = None) -> str:
    """The HMAC of a key epoch under ``key`` (the new key for ``hash``, the retired one for
    ``old_hash``)."""
    return _mac(epoch_message(epoch, prev_hash), key)


def digest_hashes(hashes) -> str:
    """One digest over a day's record hashes in id order."""
    h = hashlib.sha256()
    for value in hashes:
        h.update(value.encode("utf-8"))
    return h.hexdigest()


class HeadsDigest:
    """An order-independent, keyed digest over the purge points of the chain heads.

    Each head contributes HMAC(chain_key|purged_seq|purged_hash) and the contributions are
    added modulo 2**256, so the digest does not depend on the database's sort order (collation)
    and can be computed while streaming. The terms are keyed, so nobody without the key can
    pick forged heads whose terms add up to the sealed value.
    """

    MODULUS = 1 << 256

    def __init__(self, key: bytes | None = None):
        self.count = 0
        self._sum = 0
        self._key = key

    def add(self, chain_key: str, purged_seq: int, purged_hash: str) -> None:
        term = _mac(f"head|{chain_key}|{purged_seq}|{purged_hash}", self._key)
        self._sum = (self._sum + int(term, 16)) % self.MODULUS
        self.count += 1

    def hexdigest(self) -> str:
        return f"{self._sum:064x}"


def purge_mark_hash(mark, prev_hash: str, key: bytes | None = None) -> str:
    return _mac(
        f"purge|{prev_hash}|{mark.cut_day.isoformat()}|{mark.anchor_hash}|"
        f"{mark.records_purged}|{mark.anchors_purged}|{mark.heads_count}|{mark.heads_digest}|"
        f"{_utc(mark.at)}", key
    )
