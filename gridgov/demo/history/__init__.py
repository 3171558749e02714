"""A year of generated case history for the demo district (``gridgov demo`` loads it).

``load(count)`` makes sure the cases ``0 .. count-1`` of the seed exist: each case has the
idempotency key ``demo-history-NNNNNNN``, so a second run writes nothing and a bigger
``count`` only adds the missing cases. The cases are drawn by ``plan`` (pure, seeded) and
written in bulk by ``write``, one transaction per chunk; the audit chain still verifies
(``gridgov audit verify``), with every record stamped at the time of the import and saying
which past moment it describes.

``gridgov.demo.load_demo()`` loads no history unless asked (the test suite's demo stays
small); the ``gridgov demo`` command loads ``DEFAULT_EVENTS`` by default.
"""

import time

from gridgov.accounts.models import User
from gridgov.events.models import Event

DEFAULT_EVENTS = 10_000
HISTORY_SEED = 2025
CHUNK = 2_000
MONTHS = 13


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def load(count: int = DEFAULT_EVENTS, *, seed: int = HISTORY_SEED, now=None, stdout=None,
         chunk: int = CHUNK, months: int = MONTHS) -> dict:
    """Write the missing history cases ``0 .. count-1`` over the ``months`` before ``now``
    (default: the current time); returns counts and seconds.

    The cases are the same for the same seed, ``now`` date and ``months`` (a benchmark that
    wants two years passes ``months=24``)."""
    from . import write

    started = time.perf_counter()
    existing = set(Event.objects.filter(idempotency_key__startswith=write.KEY_PREFIX)
                   .values_list("idempotency_key", flat=True))
    missing = [i for i in range(count) if write.key(i) not in existing]
    created = 0
    if missing:
        ctx = write.context(seed, now, months)
        users = {u.username: u for u in User.objects.filter(username__in=list(ctx.users))}
        for start in range(0, len(missing), chunk):
            created += write.write_chunk(ctx, seed, missing[start:start + chunk], users)
            _say(stdout, f"  历史事件 history: {created}/{len(missing)}")
    seconds = round(time.perf_counter() - started, 2)
    _say(stdout, f"历史事件 history events: {created} created, "
                 f"{len(existing) + created} in all ({seconds} s)")
    return {"history_created": created, "history_events": len(existing) + created,
            "history_seconds": seconds}
