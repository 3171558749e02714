"""Field encryption for personal values (ID numbers, phones): AES-256-GCM at rest, a keyed
HMAC for exact lookup, and the masks shown to people.

Keys come from ``settings.GRIDGOV_FIELD_KEYS``: a list of base64-encoded 32-byte keys (or one
comma-separated string, e.g. from the environment). The **first** key encrypts; **every** key
decrypts, so a new key is put first, the data re-encrypted with ``gridgov basedata
rotate_keys``, and the old key removed afterwards (docs/personal-data.md).

The lookup hash uses its own key, ``settings.GRIDGOV_LOOKUP_KEY``: it must stay the same
across encryption-key rotations, or the "one person per ID number" index would break.

Without configured keys (the demo and the tests) both keys are derived from ``SECRET_KEY``;
production sets them explicitly.

A stored token is ``v1$<key id>$<base64(nonce ‖ ciphertext ‖ tag)>``; the key id (first 8 hex
digits of the key's SHA-256) says which key decrypts it.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gridgov.accounts.actions import mask_phone as _mask_phone

PREFIX = "v1"
# Associated data binds a token to its purpose: an ID-number token pasted into the phone
# column does not decrypt.
NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A token that no configured key opens (wrong key, tampered, or not a token)."""


def _derived(label: str) -> bytes:
    return hashlib.sha256(f"gridgov:{label}:{settings.SECRET_KEY}".encode()).digest()


def _parse_keys(raw) -> list[bytes]:
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",") if part.strip()]
    keys = []
    for item in raw or ():
        key = base64.b64decode(item) if isinstance(item, str) else bytes(item)
        if len(key) != 32:
            raise ImproperlyConfigured("GRIDGOV_FIELD_KEYS: every key must be 32 bytes (base64).")
        keys.append(key)
    return keys


@lru_cache(maxsize=8)
def _keyring(raw_keys: tuple, secret: str) -> tuple[tuple[str, AESGCM], ...]:
    keys = _parse_keys(list(raw_keys)) or [_derived("field-key")]
    return tuple((key_id(k), AESGCM(k)) for k in keys)


def key_id(key: bytes) -> str:
    """The short public identifier of a key, stored in each token."""
    return hashlib.sha256(key).hexdigest()[:8]


_last = [None, None]  # (signature of the settings read, keyring) of the previous call


def keyring() -> tuple[tuple[str, AESGCM], ...]:
    """(key id, cipher) pairs; the first encrypts."""
    raw = getattr(settings, "GRIDGOV_FIELD_KEYS", None) or os.environ.get("GRIDGOV_FIELD_KEYS", "")
    signature = (raw if isinstance(raw, str) else tuple(raw), settings.SECRET_KEY)
    if _last[0] == signature:
        return _last[1]
    if isinstance(raw, list | tuple):
        parts = tuple(raw)
    else:
        parts = tuple(p.strip() for p in raw.split(",") if p.strip())
    ring = _keyring(parts, settings.SECRET_KEY)
    _last[0], _last[1] = signature, ring
    return ring


def current_key_id() -> str:
    return keyring()[0][0]


def encrypt(value: str, purpose: str = "") -> str:
    """The AES-GCM token of ``value`` under the first key ('' stays '')."""
    if not value:
        return ""
    kid, cipher = keyring()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = cipher.encrypt(nonce, value.encode(), purpose.encode() or None)
    return f"{PREFIX}${kid}${base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, purpose: str = "") -> str:
    """The plain value of a token, with whichever configured key made it."""
    if not token:
        return ""
    try:
        prefix, kid, payload = token.split("$", 2)
        blob = base64.b64decode(payload)
    except (ValueError, TypeError) as exc:
        raise DecryptionError("not an encrypted field token") from exc
    if prefix != PREFIX:
        raise DecryptionError("unknown token version")
    ring = keyring()
    candidates = [c for k, c in ring if k == kid] or [c for _, c in ring]
    for cipher in candidates:
        try:
            return cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:],
                                  purpose.encode() or None).decode()
        except Exception:  # noqa: BLE001 - InvalidTag: try the next key
            continue
    raise DecryptionError("no configured key decrypts this token")


def token_key_id(token: str) -> str:
    """The id of the key a token was made with ('' for an empty value)."""
    return token.split("$", 2)[1] if token else ""


@lru_cache(maxsize=4)
def _lookup_key(raw: str, secret: str) -> bytes:
    return base64.b64decode(raw) if raw else _derived("lookup-key")


def lookup_hash(value: str) -> str:
    """Keyed HMAC-SHA256 (hex) of a normalised value, for exact search and uniqueness."""
    if not value:
        return ""
    raw = getattr(settings, "GRIDGOV_LOOKUP_KEY", "") or os.environ.get("GRIDGOV_LOOKUP_KEY", "")
    key = _lookup_key(raw, settings.SECRET_KEY)
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """330203********1234: the region and the last four characters only."""
    value = value or ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678 (``gridgov.accounts.actions.mask_phone``)."""
    return _mask_phone(value)


def new_key() -> str:
    """A fresh base64 key for GRIDGOV_FIELD_KEYS."""
    return base64.b64encode(os.urandom(32)).decode()
