"""The server reads new texts into the needs figures itself, without Celery."""

import pytest
from django.test import override_settings

from gridgov.core.management.commands import serve
from gridgov.core.tests.periodic_support import finish_response
from gridgov.needs import autorefresh
from gridgov.needs.models import NeedCount

from .support import build_known

pytestmark = pytest.mark.django_db


def test_a_server_process_refreshes_the_figures_after_a_response():
    build_known()
    NeedCount.objects.all().delete()  # the demo's figures, made when the demo loaded
    autorefresh.reset()
    serve.post_worker_init(None)  # what gunicorn calls in each worker
    try:
        with override_settings(GRIDGOV_NEEDS_REFRESH_SECONDS=900):
            finish_response()
            assert NeedCount.objects.exists()
            # Not again within the interval.
            assert autorefresh.job.run_if_due() == (False, None)
    finally:
        from gridgov.audit import autoseal
        from gridgov.events import autoscan
        from gridgov.party import reminders
        from gridgov.patrols import autoend
        from gridgov.rules import autorun

        for job in (autoseal, autoscan, autoend, reminders, autorefresh, autorun):
            job.uninstall()
            job.reset()


def test_off_when_the_interval_is_zero():
    autorefresh.reset()
    with override_settings(GRIDGOV_NEEDS_REFRESH_SECONDS=0):
        assert autorefresh.job.run_if_due() == (False, None)
