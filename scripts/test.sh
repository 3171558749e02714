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
if [ ! -x /usr/bin/chromium ]; then
    echo "note: /usr/bin/chromium not found (apt-get install chromium): browser tests deselected" >&2
    set -- -m "not browser" "$@"
fi

.venv/bin/ruff check gridgov benchmarks scripts
echo "database: ${DATABASE_URL:-sqlite (default)}"
exec .venv/bin/pytest "$@"
