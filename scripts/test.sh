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
# The live-view browser test makes its own HLS stream with ffmpeg (skipped without it).
missing=""
[ -x /usr/bin/chromium ] || missing="chromium"
command -v ffmpeg >/dev/null || missing="$missing ffmpeg"
if [ -n "$missing" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq $missing >/dev/null
fi
BROWSER=1
if [ ! -x /usr/bin/chromium ]; then
    echo "note: /usr/bin/chromium not found (apt-get install chromium): browser tests deselected" >&2
    BROWSER=0
fi

# Media on object storage is tested against a local S3-compatible server (moto's), in its own
# virtual environment under var/ (kept out of the project's dependencies and of git), unless
# GRIDGOV_TEST_S3_ENDPOINT names a running one.
if [ -z "${GRIDGOV_TEST_S3_ENDPOINT:-}" ]; then
    S3_PORT="${GRIDGOV_TEST_S3_PORT:-9199}"
    if [ ! -x var/s3-venv/bin/moto_server ]; then
        "$PYTHON" -m venv var/s3-venv
        var/s3-venv/bin/python -m pip install --quiet "moto[server]>=5"
    fi
    var/s3-venv/bin/moto_server -H 127.0.0.1 -p "$S3_PORT" >var/s3-server.log 2>&1 &
    S3_PID=$!
    trap 'kill "$S3_PID" 2>/dev/null || true' EXIT
    for _ in $(seq 1 50); do
        if .venv/bin/python -c "import socket; socket.create_connection(('127.0.0.1', $S3_PORT), 1)" 2>/dev/null; then
            break
        fi
        sleep 0.2
    done
    export GRIDGOV_TEST_S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
fi

.venv/bin/ruff check gridgov benchmarks scripts
echo "database: ${DATABASE_URL:-sqlite (default)}"
if [ "$#" -gt 0 ]; then
    if [ "$BROWSER" = 0 ]; then
        set -- -m "not browser" "$@"
    fi
    .venv/bin/pytest "$@"
    exit $?
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
