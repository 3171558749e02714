"""A scheduled job runs once across real processes: two Python processes on one PostgreSQL
database find the same job due at the same moment, and one of them runs it.

PostgreSQL only: the SQLite test database lives in the test process's memory, where no
other process can reach it (CI runs the suite on both databases)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from gridgov.core.models import JobState

# Not a transactional test: the two processes commit on their own connections, and this
# test's transaction reads what they committed (PostgreSQL's READ COMMITTED); flushing the
# database afterwards would cost every later test a reload of the demo.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs a database other processes can reach (PostgreSQL)"),
]

WORKER = """
import os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "gridgov.settings"
import django
django.setup()
from django.conf import settings
from gridgov.core.periodic import Periodic

settings.GRIDGOV_TWO_PROCESSES_SECONDS = 300
log, go, name = sys.argv[1], sys.argv[2], sys.argv[3]

def work():
    with open(log, "a") as f:
        f.write(f"{os.getpid()}\\n")
    time.sleep(1.0)  # long enough for the other process to find the job due meanwhile
    return "done"

job = Periodic(name, "GRIDGOV_TWO_PROCESSES_SECONDS", work)
while not os.path.exists(go):
    time.sleep(0.005)
ran, result = job.run_if_due(runner="scheduler")
print("ran" if ran else "skipped", flush=True)
"""


def _url() -> str:
    s = connection.settings_dict
    return (f"postgres://{s['USER'] or 'root'}@{s['HOST'] or '127.0.0.1'}:"
            f"{s['PORT'] or 5432}/{s['NAME']}")


def test_two_processes_finding_a_job_due_run_it_once(tmp_path: Path):
    log, go = tmp_path / "runs.log", tmp_path / "go"
    name = f"two_processes_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _url()}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(log), str(go), name], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    time.sleep(3)  # both processes loaded Django and wait for the signal
    go.touch()
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _out, err in outs]
    assert sorted(out.strip() for out, _err in outs) == ["ran", "skipped"]
    assert len(log.read_text().split()) == 1
    state = JobState.objects.get(name=name)
    assert state.runs == 1 and state.last_ok is True and state.last_runner == "scheduler"
