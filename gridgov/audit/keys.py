"""The audit HMAC keys: the one that signs (``AUDIT_HMAC_KEY``) and the retired ones
(``AUDIT_HMAC_KEYS_OLD``) that still verify what was signed before a recorded rotation.

A key is named by its *key id*, an HMAC of a fixed text under the key (16 hex digits), so a
rotation record (``AuditKeyEpoch``) can say which key it retired without storing the key.
See docs/decisions/0001-audit-chain.md, "Key rotation".
"""

import hashlib
import hmac

from django.conf import settings


def _bytes(key) -> bytes:
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


def current_key() -> bytes:
    """The key every new record and seal is signed with."""
    return _bytes(settings.AUDIT_HMAC_KEY)


def old_keys() -> list[bytes]:
    """Retired keys, newest first (a list, or one comma-separated string)."""
    raw = getattr(settings, "AUDIT_HMAC_KEYS_OLD", None) or []
    if isinstance(raw, str):
        raw = raw.split(",")
    return [_bytes(item.strip() if isinstance(item, str) else item) for item in raw
            if (item.strip() if isinstance(item, str) else item)]


def key_id(key: bytes) -> str:
    """A public name for a key: it reveals nothing of the key and tells two keys apart."""
    return hmac.new(_bytes(key), b"gridgov-audit-key-id", hashlib.sha256).hexdigest()[:16]


class Keyring:
    """The configured keys by id; ``which()`` tells which of them made a stored HMAC."""

    def __init__(self):
        self.current = current_key()
        self.current_id = key_id(self.current)
        self.keys = {self.current_id: self.current}
        for key in old_keys():
            self.keys.setdefault(key_id(key), key)
        # The current key first: after a rotation, nearly everything new is signed with it.
        self.old = [(kid, key) for kid, key in self.keys.items() if kid != self.current_id]

    def which(self, stored: str, compute) -> str | None:
        """The id of the key for which ``compute(key) == stored``, or None (forged/edited)."""
        if compute(self.current) == stored:
            return self.current_id
        for kid, key in self.old:
            if compute(key) == stored:
                return kid
        return None

    def get(self, kid: str) -> bytes | None:
        return self.keys.get(kid)
