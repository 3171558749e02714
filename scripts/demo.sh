#!/usr/bin/env bash
# Set up GridGov in .venv and start the Haishu demo district on SQLite at http://127.0.0.1:8000/
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/gridgov demo "$@"
