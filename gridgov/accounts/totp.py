"""TOTP second factor (RFC 6238) for the three administrator roles.

Any authenticator app works (Google/Microsoft Authenticator, FreeOTP, 宁盾, ...): a base32
secret, 6 digits, 30-second steps, SHA-1. One step of clock drift either way is accepted.
"""

import re

import pyotp
from django.conf import settings

ISSUER = "GridGov"
DIGITS = 6
INTERVAL = 30
VALID_WINDOW = 1
_CODE_RE = re.compile(r"^\d{6}$")
_SECRET_RE = re.compile(r"^[A-Z2-7]{16,64}$")


def new_secret() -> str:
    """A fresh random base32 secret (160 bits)."""
    return pyotp.random_base32(length=32)


def valid_secret(secret: str) -> bool:
    return bool(_SECRET_RE.match(secret or ""))


def issuer() -> str:
    return getattr(settings, "GRIDGOV_TOTP_ISSUER", ISSUER)


def provisioning_uri(username: str, secret: str) -> str:
    """The otpauth:// URI an authenticator app imports (as a QR code or typed in)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=username, issuer_name=issuer()
    )


def clean_code(code) -> str:
    """Digits only: people type codes with spaces ("123 456")."""
    return re.sub(r"\s+", "", str(code or ""))


def verify(secret: str, code) -> bool:
    """Whether ``code`` is the current code for ``secret`` (± one step of clock drift)."""
    code = clean_code(code)
    if not secret or not _CODE_RE.match(code):
        return False
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).verify(
        code, valid_window=VALID_WINDOW
    )


def current_code(secret: str, for_time=None) -> str:
    """The code an authenticator shows now (for tests and the demo's printed logins)."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    return totp.at(for_time) if for_time is not None else totp.now()
