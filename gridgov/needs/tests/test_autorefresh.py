"""The server reads new texts into the needs figures itself, without Celery."""

import pytest
from django.test import override_settings

from gridgov.core.tests.periodic_support import finish_response
from gridgov.needs import autorefresh
from gridgov.needs.models import NeedCount

from .support import build_known

pytestmark = pytest.mark.django_db


def test_a_server_process_refreshes_the_figures_after_a_response():
    build_known()
    NeedCount.objects.all().delete()  # the demo's figures, made when the demo loaded
    autorefresh.reset()
    autorefresh.install()  # after each response, as a server may run it
    try:
        with override_settings(GRIDGOV_NEEDS_REFRESH_SECONDS=900):
            finish_response()
            assert NeedCount.objects.exists()
            # Not again within the interval.
            assert autorefresh.job.run_if_due() == (False, None)
    finally:
        autorefresh.uninstall()
        autorefresh.reset()


def test_off_when_the_interval_is_zero():
    autorefresh.reset()
    with override_settings(GRIDGOV_NEEDS_REFRESH_SECONDS=0):
        assert autorefresh.job.run_if_due() == (False, None)
