"""Scheduled job: delete what has expired in core's own tables (idempotency records older
than a day, the rows of ended throttle windows), every ``GRIDGOV_PURGE_SECONDS``."""

from django.utils.translation import gettext_lazy as _

from .periodic import Periodic


def _purge() -> dict:
    from . import throttle
    from .idempotency import purge_expired

    return {"idempotency_records": purge_expired(), "rate_counters": throttle.purge_expired()}


job = Periodic("purge", "GRIDGOV_PURGE_SECONDS", _purge, label=_("清理过期的幂等记录与限流计数"),
               failure="purging expired rows failed")
