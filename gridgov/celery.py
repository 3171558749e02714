"""Celery application. With no CELERY_BROKER_URL, tasks run in-process (eager).

A worker or beat started with ``celery -A gridgov worker|beat`` refuses to start on missing
production keys (gridgov/core/keys_check.py), as ``gridgov serve`` and the WSGI application do:
a worker writes audit records and decrypts personal data with those keys.
"""

import os
import sys

from celery import Celery
from celery.signals import beat_init, celeryd_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

app = Celery("gridgov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def refuse_without_keys(what: str) -> None:
    """Exit with status 1 and the keys message unless the production keys are set (or the
    process is the demo, DEBUG or the tests). SystemExit, because Celery logs and ignores an
    ordinary exception raised by a signal receiver."""
    from django.core.exceptions import ImproperlyConfigured

    from gridgov.core.keys_check import require_for_start

    try:
        require_for_start(what)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"{exc}\n")
        raise SystemExit(1) from None


@celeryd_init.connect(dispatch_uid="gridgov_worker_keys")
def _worker_keys(**kwargs):
    refuse_without_keys("the Celery worker")


@beat_init.connect(dispatch_uid="gridgov_beat_keys")
def _beat_keys(**kwargs):
    refuse_without_keys("Celery beat")
