#!/usr/bin/env bash
# Set up GridGov with its test dependencies in .venv, lint, and run every test.
# DATABASE_URL chooses the database (SQLite when unset). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

# Browser tests drive Debian's chromium; install it when we may, otherwise say they are skipped.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
BROWSER=1
if [ ! -x /usr/bin/chromium ]; then
    echo "note: /usr/bin/chromium not found (apt-get install chromium): browser tests deselected" >&2
    BROWSER=0
fi

.venv/bin/ruff check gridgov benchmarks scripts
echo "database: ${DATABASE_URL:-sqlite (default)}"
if [ "$#" -gt 0 ]; then
    if [ "$BROWSER" = 0 ]; then
        set -- -m "not browser" "$@"
    fi
    exec .venv/bin/pytest "$@"
fi
# The whole suite: everything but the browser tests on every core (pytest-xdist; each worker
# has its own test database), then the browser tests one at a time: a browser test drives a
# live server and Chromium, and two of them side by side on two cores time out.
WORKERS="${GRIDGOV_TEST_WORKERS:-$(nproc)}"
status=0
.venv/bin/pytest -m "not browser" -n "$WORKERS" || status=$?
if [ "$BROWSER" = 1 ]; then
    .venv/bin/pytest -m browser || status=$?
fi
exit "$status"
