"""The HMAC chain: how a record's hash is computed from its content and its predecessor."""

import hashlib
import hmac
import json

from django.conf import settings

GENESIS = "0" * 64

# The fields a record's hash covers, in order. Changing any of them breaks the link.
HASHED_FIELDS = (
    "chain_key", "seq", "at", "actor_id", "actor_name", "role", "action", "object_type",
    "object_id", "object_repr", "changes", "remark", "request_id", "client_ip",
)


def _key() -> bytes:
    return settings.AUDIT_HMAC_KEY.encode("utf-8")


def canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)


def record_payload(record) -> dict:
    out = {}
    for name in HASHED_FIELDS:
        value = getattr(record, name)
        if name == "at":
            value = value.isoformat(timespec="microseconds")
        out[name] = value
    return out


def record_hash(record, prev_hash: str) -> str:
    message = (prev_hash + "|" + canonical(record_payload(record))).encode("utf-8")
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def anchor_hash(day, count: int, digest: str, first_id, last_id, prev_hash: str) -> str:
    message = f"{prev_hash}|{day.isoformat()}|{count}|{digest}|{first_id}|{last_id}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def digest_hashes(hashes) -> str:
    """One digest over a day's record hashes in id order."""
    h = hashlib.sha256()
    for value in hashes:
        h.update(value.encode("ascii"))
    return h.hexdigest()
