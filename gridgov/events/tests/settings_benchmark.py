"""Settings of benchmarks/intake.py's server: production settings with the benchmark's URL
configuration (the floor endpoint), which production never serves."""

from gridgov.settings import *  # noqa: F403

ROOT_URLCONF = "gridgov.events.tests.urls_benchmark"
