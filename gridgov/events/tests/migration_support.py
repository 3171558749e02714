"""A throw-away SQLite database, migrated by ``manage migrate`` in a subprocess, to run data
migrations forwards and backwards on real rows.

The test's own database cannot do it: on SQLite the schema editor refuses to run inside the
transaction every test is wrapped in, and a ``transaction=True`` test would flush the rows
that data migrations seeded (the catalog, the tags) for every test after it.
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


class ScratchDatabase:
    """One SQLite file and the commands that act on it (same settings and keys as a
    deployment started with this environment)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{self.path}",
                    "DJANGO_SETTINGS_MODULE": "gridgov.settings"}

    def _run(self, args) -> str:
        done = subprocess.run([sys.executable, *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def migrate(self, *target: str) -> None:
        """``migrate [app [migration]]``: forwards or backwards."""
        self._run(["-m", "django", "migrate", *target, "--no-input", "-v", "0"])

    def sql(self, statement: str, params=()) -> list:
        """Rows of one SQL statement, run with plain sqlite3 (committed)."""
        with sqlite3.connect(self.path) as db:
            return db.execute(statement, params).fetchall()

    def evaluate(self, expression: str, *imports: str):
        """The JSON value of a Python expression evaluated with Django set up."""
        code = "\n".join(["import django, json", "django.setup()", *imports,
                          f"print(json.dumps({expression}))"])
        return json.loads(self._run(["-c", code]).strip().splitlines()[-1])
