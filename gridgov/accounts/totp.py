"""TOTP second factor (RFC 6238) for the three administrator roles.

Any authenticator app works (Google/Microsoft Authenticator, FreeOTP, 宁盾, ...): a base32
secret, 6 digits, 30-second steps, SHA-1. One step of clock drift either way is accepted.

A code is good once (RFC 6238 section 5.2): when a code is checked while serving an HTTP
request (the sign-in step), the time step it belongs to is remembered for the secret, and that
step or an earlier one is refused afterwards. The memory is the shared store of
``gridgov.core.throttle.claim_once`` (Redis when ``REDIS_URL`` is set, else the database),
keyed by a hash of the secret (one per user) and the step, so it needs no column and every
process sees the same claims. Checks from code outside a request (the demo loader, the shell)
are not remembered.

At rest the secret is an AES-GCM token of ``gridgov.core.personal_data`` (purpose
"totp_secret", so it decrypts nowhere else): ``User.totp_secret_enc`` holds ``seal(secret)``
and ``User.totp_secret`` reads it back through ``unseal``. The plain secret lives only in
memory while a code is checked or the enrolment page shows it once.
"""

import hashlib
import hmac
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar

import pyotp
from django.conf import settings

from gridgov.core import personal_data

ISSUER = "GridGov"
DIGITS = 6
INTERVAL = 30
VALID_WINDOW = 1
_CODE_RE = re.compile(r"^\d{6}$")
_SECRET_RE = re.compile(r"^[A-Z2-7]{16,64}$")


PURPOSE = "totp_secret"


def seal(secret: str) -> str:
    """The stored form of a secret: its AES-GCM token ('' stays '')."""
    return personal_data.encrypt(secret or "", PURPOSE)


def unseal(token: str) -> str:
    """The plain base32 secret of a stored token ('' for none)."""
    return personal_data.decrypt(token or "", PURPOSE)


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


# Whether codes checked now are single-use (set for each HTTP request by
# gridgov.core.middleware.RequestContextMiddleware through ``single_use_codes``).
_single_use: ContextVar[bool] = ContextVar("gridgov_totp_single_use", default=False)


@contextmanager
def single_use_codes(enabled: bool = True):
    """Within the block, a code accepted once is refused afterwards (see the module notes)."""
    token = _single_use.set(enabled)
    try:
        yield
    finally:
        _single_use.reset(token)


def _matching_step(secret: str, code: str, now: float) -> int | None:
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    current = int(now) // INTERVAL
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _cache_key(secret: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), secret.encode(), hashlib.sha256)
    return f"gridgov:totp-used:{digest.hexdigest()[:32]}"


def _claim_step(secret: str, step: int) -> bool:
    """Record ``step`` as used for ``secret``; False when it (or a later step) already was."""
    from gridgov.core import throttle

    key = _cache_key(secret)
    keep = (2 * VALID_WINDOW + 2) * INTERVAL
    # Atomic on the shared store: of two requests racing with one code, in one worker or two,
    # only one claims the step.
    if not throttle.claim_once(f"{key}:{step}", keep):
        return False
    # The earlier steps still inside the drift window are spent too: an older code is refused
    # after a newer one.
    for earlier in range(step - 2 * VALID_WINDOW, step):
        throttle.claim_once(f"{key}:{earlier}", keep)
    return True


def verify(secret: str, code, *, single_use: bool | None = None) -> bool:
    """Whether ``code`` is the current code for ``secret`` (± one step of clock drift) and,
    when codes are single-use (``single_use``, default: while serving an HTTP request), was
    not accepted before."""
    code = clean_code(code)
    if not secret or not _CODE_RE.match(code):
        return False
    step = _matching_step(secret, code, time.time())
    if step is None:
        return False
    if single_use is None:
        single_use = _single_use.get()
    return _claim_step(secret, step) if single_use else True


def current_code(secret: str, for_time=None) -> str:
    """The code an authenticator shows now (for tests and the demo's printed logins)."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    return totp.at(for_time) if for_time is not None else totp.now()
