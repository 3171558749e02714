"""The demo loader: reads the demo's texts, fast, and a second run reads nothing new."""

import time

import pytest

from gridgov.demo import needs as demo
from gridgov.needs.models import NeedCount, NeedMention

pytestmark = pytest.mark.django_db


def test_load_reads_the_demo_once():
    # The test database holds the demo (gridgov.demo.load_demo ran this loader first); read
    # everything again from scratch to see the loader's own work.
    NeedMention.objects.all().delete()
    NeedCount.objects.all().delete()
    started = time.monotonic()
    first = demo.load(full=True)
    assert time.monotonic() - started < 20
    assert first["texts"] > 0
    assert NeedMention.objects.filter(source="visit").exists()
    assert NeedCount.objects.filter(group="").exists()
    second = demo.load()
    assert second["texts"] == 0 and second["mentions"] == 0
