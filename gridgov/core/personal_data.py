"""Personal data (PIPL, minimum necessary): field encryption, the lookup hash, the masks shown
to people, and ``reveal()`` of one full value with a reason and an audit record.

Every app that stores or shows an ID number or a phone goes through this module, so a mask
has one shape and a reveal one rule everywhere (docs/personal-data.md).

Encryption: AES-256-GCM. Keys come from ``settings.GRIDGOV_FIELD_KEYS``: a list of
base64-encoded 32-byte keys (or one comma-separated string, e.g. from the environment). The
**first** key encrypts; **every** key decrypts, so a new key is put first, the data
re-encrypted with ``gridgov basedata rotate_keys``, and the old key removed afterwards.

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
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record

from .access import require
from .querysets import VIEW

PREFIX = "v1"
NONCE_BYTES = 12
# The purpose of a token is its associated data: an ID-number token pasted into the phone
# column does not decrypt.

ID_NUMBER_RE = re.compile(r"^\d{17}[\dXx]$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


class DecryptionError(ValueError):
    """A token that no configured key opens (wrong key, tampered, or not a token)."""


# --- keys -----------------------------------------------------------------------------------


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


def new_key() -> str:
    """A fresh base64 key for GRIDGOV_FIELD_KEYS."""
    return base64.b64encode(os.urandom(32)).decode()


# --- encryption -----------------------------------------------------------------------------


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
    candidates = [c for k, c in ring if k == kid] or [c for _k, c in ring]
    for cipher in candidates:
        try:
            return cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:],
                                  purpose.encode() or None).decode()
        except Exception:  # noqa: BLE001 - InvalidTag: try the next key
            continue
    raise DecryptionError("no configured key decrypts this token")


def encrypt_bytes(data: bytes, purpose: str) -> bytes:
    """``encrypt`` for a file's bytes (an uploaded spreadsheet of people waiting for its
    import job): the token, as bytes to store."""
    return encrypt(base64.b64encode(data).decode(), purpose).encode()


def decrypt_bytes(token: bytes, purpose: str) -> bytes:
    """The bytes ``encrypt_bytes`` sealed."""
    return base64.b64decode(decrypt(token.decode(), purpose)) if token else b""


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


# --- masks ----------------------------------------------------------------------------------


def mask_id_number(value: str) -> str:
    """330203********1234: the region and the last four characters only."""
    value = value or ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(phone: str) -> str:
    """138****5678: a mobile number as shown to anyone but its owner."""
    phone = phone or ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_value(value):
    """The masked form of any one value, chosen by its shape (shared rows, exports).

    An 18-character ID number keeps its first 6 and last 4 characters, a mobile number its
    first 3 and last 4; any other value keeps its first and last character. ``None`` stays
    ``None``.
    """
    if value is None:
        return None
    text = str(value)
    if ID_NUMBER_RE.match(text):
        return mask_id_number(text)
    if MOBILE_RE.match(text):
        return mask_phone(text)
    if len(text) <= 1:
        return "*" * len(text)
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]


def phone_lookup_hash(value: str) -> str:
    """The lookup hash of a phone number over its digits only, so "0574-8765 4321" and
    "057487654321" find each other, and a mobile number hashes as basedata's ``phone_hash``
    does (an 11-digit mobile is already digits only)."""
    return lookup_hash(re.sub(r"\D", "", value or ""))


def phone_columns(value: str, prefix: str) -> dict[str, str]:
    """How a phone is stored in the three columns ``<prefix>_enc`` (the token),
    ``<prefix>_hash`` (``phone_lookup_hash``) and ``<prefix>_masked``: what a model's phone
    setter assigns ('' empties all three)."""
    value = value or ""
    return {f"{prefix}_enc": encrypt(value, "phone"),
            f"{prefix}_hash": phone_lookup_hash(value),
            f"{prefix}_masked": mask_phone(value)}


# --- keeping logs free of plain numbers -----------------------------------------------------
#
# Logs and evidence (audit records of exports, the exchange log) keep what was asked, but an
# ID number or phone typed into a filter or a search is personal data like the stored value:
# these keep its mask instead. A number counts when it stands on its own (not inside a
# longer run of letters and digits, such as a cursor); any other run of 7 or more digits is
# masked too, as it may be part of one (a search on an ID number's first 15 digits).
#
# Searches match a number typed with spaces or hyphens ("138 1234 5678", "330203 19900101
# 1234", "+86" in front, "(0574) 8765 4321"), so the masks must too: an ID number, mobile or
# landline may have one separator (space, ideographic space, hyphen, or "+", a space in a
# URL's query string) between any two digits, and is masked whole, as the mask of its digits.
_SEP = "[ \u3000+-]?"
_NUMBER_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    rf"(?P<id>\d(?:{_SEP}\d){{16}}{_SEP}[\dXx])"
    rf"|(?P<mobile>(?:\+?86{_SEP})?1{_SEP}[3-9](?:{_SEP}\d){{9}})"
    rf"|(?P<landline>[((]?0\d{{2,3}}[))]?{_SEP}\d(?:{_SEP}\d){{6,7}})"
    r"|(?P<digits>\d{7,}))"
    r"(?![0-9A-Za-z])")


def _mask_number(match) -> str:
    text = re.sub(r"[^\dXx]", "", match.group(0))
    if match.group("id"):
        return mask_id_number(text)
    if match.group("mobile"):
        return mask_phone(text[-11:])
    if match.group("landline"):
        return mask_phone(text)
    return mask_value(text)


def mask_numbers(text: str) -> str:
    """``text`` with every ID number, mobile number or run of 7+ digits standing on its own
    replaced by its mask."""
    return _NUMBER_IN_TEXT.sub(_mask_number, text or "")


def holds_number(text: str) -> bool:
    """Whether ``text`` holds an ID number, a mobile or a landline with its area code, typed
    with or without separators (what must not be kept in plain, e.g. in a saved search)."""
    return any(m.group("id") or m.group("mobile") or m.group("landline")
               for m in _NUMBER_IN_TEXT.finditer(text or ""))


def _mask_all(value):
    if isinstance(value, dict):
        return {k: _mask_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_all(v) for v in value]
    if value is None or isinstance(value, bool) or value == "":
        return value
    if isinstance(value, str) and "*" in value:
        # Already a mask (scrubbing twice changes nothing), or made to look like one: the
        # numbers in it are masked all the same.
        return mask_numbers(value)
    return mask_value(value)


def scrub(value, *, personal_keys=()):
    """A copy of a JSON-like value (dicts, lists, strings, numbers) fit to be logged: the
    values under a key in ``personal_keys`` (at any depth) masked whole, ID numbers, mobile
    numbers and long runs of digits in any other string masked (``mask_numbers``), and a
    number that is an ID or mobile number masked too. Keys are kept as they are."""
    if isinstance(value, dict):
        return {k: (_mask_all(v) if k in personal_keys else scrub(v, personal_keys=personal_keys))
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, personal_keys=personal_keys) for v in value]
    if isinstance(value, str):
        return mask_numbers(value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        return mask_value(text) if ID_NUMBER_RE.match(text) or MOBILE_RE.match(text) else value
    return value


def exact_lookup_hashes(params: dict) -> dict:
    """{key: lookup hash} for each top-level value of ``params`` that is a whole ID number or
    mobile number (spaces and dashes ignored): what an exact search on it compared, kept with
    the masked parameters so an investigation can still tell which record was looked for."""
    out = {}
    for key, value in (params or {}).items():
        text = re.sub(r"[\s-]", "", str(value or ""))
        if ID_NUMBER_RE.match(text) or MOBILE_RE.match(text):
            out[key] = lookup_hash(text)
    return out


# --- the encrypted columns ------------------------------------------------------------------

# Every column holding a token of this module, as (model label, token column, purpose,
# lookup-hash column or ""): ``gridgov basedata rotate_keys`` re-encrypts them all under the
# first key, and a change of the lookup key has to recompute the hash columns named here. A
# model that stores a new encrypted value adds it to this list.
ENCRYPTED_COLUMNS = (
    ("basedata.Person", "id_number_enc", "id_number", "id_hash"),
    ("basedata.Person", "phone_enc", "phone", "phone_hash"),
    ("basedata.ImportBatch", "report", "import_report", ""),
    ("events.Event", "reporter_phone_enc", "phone", "reporter_phone_hash"),
    ("accounts.User", "phone_enc", "phone", "phone_hash"),
    ("accounts.User", "totp_secret_enc", "totp_secret", ""),
)


# --- reveal ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalField:
    """A personal value a model stores encrypted: the column holding its token, the purpose
    the token is bound to, and its label (named in the messages)."""

    column: str
    purpose: str
    label: str


def reveal(obj, field: str, *, actor, reason: str) -> str:
    """One full personal value of ``obj``, for an actor that needs it, with a reason.

    The model says what may be revealed and who may do it: ``personal_fields`` (name →
    ``PersonalField``) and ``reveal_permission``. The actor must hold that permission and
    see the record (``restrict(actor, "view")``); the system cannot reveal (a reveal is a
    person's decision). Every reveal is an audit record ``<app>.<model>.reveal`` on the
    record's chain, with the field and the reason; the value itself is never recorded. A
    model whose own chain is read as something else (an event's chain is its timeline) names
    another chain with ``reveal_chain_key(obj)``.
    """
    model = type(obj)
    fields = model.personal_fields
    spec = fields.get(field)
    if spec is None:
        names = _("或").join(str(f.label) for f in fields.values())
        raise ValidationError({"field": _("只能查看%(fields)s。") % {"fields": names}})
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写查看完整信息的理由。")})
    require(actor, model.reveal_permission, allow_system=False,
            message=_("您的角色无权查看完整的个人信息。"))
    if not model.objects.restrict(actor, VIEW).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("您无权查看该记录。"))
    value = decrypt(getattr(obj, spec.column), spec.purpose)
    meta = obj._meta
    chain = getattr(model, "reveal_chain_key", None)
    with transaction.atomic():
        record(f"{meta.app_label}.{meta.model_name}.reveal", actor=actor, obj=obj,
               changes={"field": field}, remark=reason[:500],
               chain_key=chain(obj) if chain else "")
    return value


# --- lookup key rotation --------------------------------------------------------------------
#
# Changing GRIDGOV_LOOKUP_KEY means recomputing every stored lookup hash from the value it was
# made from: ``gridgov keys rehash`` (gridgov/core/lookup_keys.py) decrypts each token of a
# column of ENCRYPTED_COLUMNS that names a hash column and stores the hash under the current
# key. A new hashed column is found there by adding its row to ENCRYPTED_COLUMNS; a purpose
# whose writer normalises the value differently from ``lookup_hash`` says so in
# LOOKUP_HASHERS.

# purpose -> the function the writers of that purpose hash with (default ``lookup_hash``).
LOOKUP_HASHERS = {"phone": phone_lookup_hash}


def lookup_hash_of(purpose: str, value: str) -> str:
    """The lookup hash a writer of ``purpose`` stores for ``value``, under the current key."""
    return LOOKUP_HASHERS.get(purpose, lookup_hash)(value)


def hashed_columns() -> list[tuple[str, str, str, str]]:
    """(model label, token column, purpose, hash column) of every column with a lookup hash."""
    return [row for row in ENCRYPTED_COLUMNS if row[3]]


def lookup_key_id() -> str:
    """The short public identifier of the current lookup key (for logs and audit records)."""
    raw = getattr(settings, "GRIDGOV_LOOKUP_KEY", "") or os.environ.get("GRIDGOV_LOOKUP_KEY", "")
    return key_id(_lookup_key(raw, settings.SECRET_KEY))
