"""Lock-out after repeated failed sign-ins (等保 level 3, identity authentication).

Failures are counted per user name, not per person or address: an attacker guessing one
account's password from many addresses is stopped all the same, and an unknown user name is
treated exactly like a known one so the answer never tells which names exist.

``GRIDGOV_LOCKOUT_THRESHOLD`` failures within ``GRIDGOV_LOCKOUT_WINDOW_SECONDS`` lock the name
for ``GRIDGOV_LOCKOUT_SECONDS``. While locked, even the right password is refused. The lock
ends by itself when its time is up, or earlier when the security administrator unlocks it
(``accounts.actions.unlock_account``). A successful sign-in clears the failures. The failures
and locks are rows of the database, so every process counts and sees the same.

Per name alone, spraying a few guesses over many names (below the threshold on each) would
lock nothing. So each client address may also fail only ``GRIDGOV_RATE_SIGNIN_IP`` sign-ins
(default 20 per 15 minutes) whatever the names, counted on the shared throttle
(``gridgov.core.throttle``, Redis or the database): every attempt is counted before its
password is checked, and a successful one is refunded, so concurrent guesses cannot slip
past the limit while a staff office behind one address is not held back by its own
sign-ins. Over the limit the sign-in page answers 429 with ``Retry-After`` and checks no
password; the first refusal in a window is audited (``accounts.signin_throttled``).
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gridgov.audit.recorder import record
from gridgov.core import throttle

from .models import AccountLock, LoginFailure

# Lock-out events share one audit chain per user name, with the failed sign-ins.
LOGIN_OBJECT_TYPE = "accounts.login"
# Throttled sign-ins have one audit chain per client address.
ADDRESS_OBJECT_TYPE = "accounts.login_address"
# The shared throttle counting sign-in attempts per client address (GRIDGOV_RATE_SIGNIN_IP).
SIGNIN_RATE = "signin-ip"


def normalise(username) -> str:
    return str(username or "").strip()[:150]


def threshold() -> int:
    return max(1, int(settings.GRIDGOV_LOCKOUT_THRESHOLD))


def window() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.GRIDGOV_LOCKOUT_WINDOW_SECONDS))


def lock_duration() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.GRIDGOV_LOCKOUT_SECONDS))


def locked_until(username, now=None):
    """When the user name's lock ends, or ``None`` when it is not locked now."""
    username = normalise(username)
    if not username:
        return None
    now = now or timezone.now()
    return (
        AccountLock.objects.filter(username=username, locked_until__gt=now)
        .values_list("locked_until", flat=True)
        .first()
    )


def is_locked(username, now=None) -> bool:
    return locked_until(username, now) is not None


def register_failure(username, client_ip: str = "", now=None):
    """Count one failed sign-in; lock the name when the threshold is reached in the window.

    Returns the end of the lock when this failure locked the name (or it already was locked),
    otherwise ``None``.
    """
    username = normalise(username)
    if not username:
        return None
    now = now or timezone.now()
    with transaction.atomic():
        LoginFailure.objects.create(username=username, client_ip=client_ip[:64], at=now)
        current = locked_until(username, now)
        if current is not None:
            return current
        recent = LoginFailure.objects.filter(username=username, at__gt=now - window()).count()
        if recent < threshold():
            return None
        until = now + lock_duration()
        AccountLock.objects.update_or_create(username=username,
                                             defaults={"locked_until": until})
        # The failures that caused this lock are spent: after it ends the count starts afresh.
        LoginFailure.objects.filter(username=username).delete()
        record(
            "accounts.locked",
            object_type=LOGIN_OBJECT_TYPE,
            object_id=username,
            object_repr=username,
            changes={"locked_until": [None, until.isoformat()], "failures": recent},
            remark=f"{recent} failed sign-ins within {int(window().total_seconds())} s",
        )
        return until


def clear_failures(username) -> None:
    """Forget a name's failed sign-ins (after it signed in successfully)."""
    username = normalise(username)
    if username:
        LoginFailure.objects.filter(username=username).delete()


def lift(username) -> bool:
    """Remove the lock and the failure count of a name; whether a lock was in force.

    Called only by ``accounts.actions.unlock_account``, which checks the actor and audits.
    """
    username = normalise(username)
    was_locked = is_locked(username)
    AccountLock.objects.filter(username=username).delete()
    LoginFailure.objects.filter(username=username).delete()
    return was_locked


# --- per client address ---------------------------------------------------------------------


def count_attempt(client: str) -> throttle.Decision:
    """Count one sign-in attempt from ``client`` (an address, ``throttle.client_address``)
    before its password is checked; refused over ``GRIDGOV_RATE_SIGNIN_IP``. The first
    refusal of a window is audited."""
    decision = throttle.check(SIGNIN_RATE, client)
    if not decision.allowed and decision.count == decision.limit + 1:
        with transaction.atomic():
            record(
                "accounts.signin_throttled",
                object_type=ADDRESS_OBJECT_TYPE,
                object_id=client,
                object_repr=client,
                changes={"attempts": decision.count, "retry_after": decision.retry_after},
                remark=f"more than {decision.limit} failed sign-ins from one address",
            )
    return decision


def attempt_succeeded(client: str) -> None:
    """Refund the attempt counted for a sign-in that succeeded: only failures use the limit."""
    limits = throttle.rate(SIGNIN_RATE)
    if limits is not None:
        throttle.refund(SIGNIN_RATE, client, window=limits.window)
