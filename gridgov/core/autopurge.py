"""Scheduled job: delete what has expired in core's own tables (idempotency records older
than a day, the rows of ended throttle windows) and the files of background jobs a day after
they ended (exports, leftover uploads: ``background.files.purge_expired``), every
``GRIDGOV_PURGE_SECONDS``."""

from django.utils.translation import gettext_lazy as _

from .periodic import Periodic


def _purge() -> dict:
    from gridgov.background import files

    from . import throttle
    from .idempotency import purge_expired

    return {"idempotency_records": purge_expired(), "rate_counters": throttle.purge_expired(),
            "job_files": files.purge_expired()}


job = Periodic("purge", "GRIDGOV_PURGE_SECONDS", _purge, label=_("清理过期的幂等记录与限流计数"),
               failure="purging expired rows failed")
