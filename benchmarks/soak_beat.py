"""Celery app of the soak test's beat: GridGov's own (``gridgov.celery``) with the interval
entries of ``CELERY_BEAT_SCHEDULE`` shortened to at most ``SOAK_BEAT_EVERY`` seconds.

Production seals the audit log every 900 s and scans deadlines every 300 s; a 10-minute soak
would see one scan and no seal. The same task (``gridgov.core.tasks.run_job``) runs the same
jobs, only more often; crontab entries (nightly rules, monthly freeze) are left as they are.

    celery -A soak_beat beat        # with benchmarks/ on PYTHONPATH (benchmarks/soak.py does)
"""

import os

from django.conf import settings

from gridgov.celery import app

__all__ = ["app"]


def soak_schedule(every: float) -> dict:
    """The production beat schedule, interval entries capped at ``every`` seconds."""
    schedule = {}
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        entry = dict(entry)
        if every > 0 and isinstance(entry["schedule"], (int, float)):
            entry["schedule"] = min(float(entry["schedule"]), every)
        schedule[name] = entry
    return schedule


app.conf.beat_schedule = soak_schedule(float(os.environ.get("SOAK_BEAT_EVERY", "0") or 0))
